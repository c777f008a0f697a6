import { items } from '../functions/data/items.js';
import type { Listing } from '../functions/domain/market.js';
import type { Offer } from '../functions/domain/offers.js';
import { traitId, type Attribute, type TraitTable } from '../functions/domain/traits.js';

/** Trait keys and the values they may take, most common first; the last value drawn for a table is its rare one. */
const traitPool: Array<[string, string[]]> = [
  ['Background', ['Blue', 'Red', 'Green', 'Yellow', 'Purple', 'Orange', 'Teal', 'Pink', 'Gray', 'Gold']],
  ['Body', ['Brown', 'Cream', 'Black', 'White', 'Zombie', 'Robot', 'Alien', 'Diamond']],
  ['Eyes', ['Bored', 'Sleepy', 'Angry', 'Wide', 'Hypnotized', 'Sunglasses', 'Closed', 'Laser']],
  ['Mouth', ['Grin', 'Frown', 'Smile', 'Tongue', 'Pipe', 'Bubblegum', 'Gold Grill']],
  ['Headwear', ['Cap', 'Beanie', 'Bandana', 'Crown', 'Halo', 'Top Hat', 'Flower', 'Horns']],
  ['Clothing', ['T-Shirt', 'Hoodie', 'Tuxedo', 'Jacket', 'Kimono', 'Armor', 'Astronaut Suit']],
  ['Earring', ['Silver Stud', 'Gold Hoop', 'Cross', 'Diamond Stud', 'Pearl']],
  ['Accessory', ['Chain', 'Scarf', 'Watch', 'Monocle', 'Cigar', 'Jetpack']],
];

/**
 * A collection's trait table: 4 to 8 keys, 5 to all of each key's values, weighted so common values are on 10-40 %
 * of the collection and the last one on about 0.6 % (under 1 %). Drawn from `random`, so every seed is the same.
 */
export function seedTraitTable(random: () => number): TraitTable {
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const keyCount = between(4, traitPool.length);
  return {
    traits: traitPool.slice(0, keyCount).map(([key, pool]) => {
      const chosen = pool.slice(0, between(5, pool.length));
      const common = chosen.slice(0, -1).map((value) => ({ value, weight: between(40, 300) }));
      const rare = { value: chosen[chosen.length - 1]!, weight: Math.max(1, Math.floor(common.reduce((s, v) => s + v.weight, 0) * 0.006)) };
      return { key, values: [...common, rare] };
    }),
  };
}

/**
 * The figures of every trait value of seeded collections, counted from the seed's NFTs, listings and trait
 * offers, as the stream aggregator would have them.
 */
export function seedTraitItems(
  tables: ReadonlyMap<string, TraitTable>, nfts: ReadonlyArray<{ collectionId: string; attributes: Attribute[] }>,
  listings: readonly Listing[], traitOffers: readonly Offer[], at: string,
): Record<string, unknown>[] {
  const figures = new Map<string, { tokenCount: number; listedCount: number; floor: Listing | null; top: Offer | null }>();
  const of = (collectionId: string, t: Attribute) => {
    const id = `${collectionId} ${traitId(t)}`;
    if (!figures.has(id)) figures.set(id, { tokenCount: 0, listedCount: 0, floor: null, top: null });
    return figures.get(id)!;
  };
  for (const nft of nfts) for (const t of nft.attributes) of(nft.collectionId, t).tokenCount += 1;
  for (const listing of listings) {
    for (const t of listing.attributes) {
      const f = of(listing.collectionId, t);
      f.listedCount += 1;
      if (f.floor === null || listing.price < f.floor.price) f.floor = listing;
    }
  }
  for (const offer of traitOffers.filter((o) => o.status === 'open' && o.trait)) {
    const f = of(offer.collectionId, offer.trait!);
    if (f.top === null || offer.amount > f.top.amount || (offer.amount === f.top.amount && offer.createdAt < f.top.createdAt)) f.top = offer;
  }
  return [...tables].flatMap(([collectionId, table]) => table.traits.flatMap(({ key, values }) => values.map(({ value }) => {
    const f = of(collectionId, { key, value });
    return items.trait({
      collectionId, key, value, tokenCount: f.tokenCount, listedCount: f.listedCount,
      floorPrice: f.floor?.price ?? null, floorListingId: f.floor?.listingId ?? null,
      topOffer: f.top ? { offerId: f.top.offerId, amount: f.top.amount } : null, statsAsOf: at, floorAsOf: at, topOfferAsOf: at,
    });
  })));
}

/** A listing's trait price entries (a copy of the listing per trait). */
export function seedTraitPriceEntries(listing: Listing): Record<string, unknown>[] {
  return listing.attributes.map((trait) => items.traitPriceEntry(listing, trait));
}
