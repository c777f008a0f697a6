type Item = Record<string, any>;
type Attribute = { key: string; value: string };

const traitOf = (collectionId: string, t: Attribute) => JSON.stringify([collectionId, t.key, t.value]);

export interface TraitRecount {
  /** Trait values recounted (every trait item and every trait an NFT has). */
  values: number;
  problems: string[];
}

/**
 * Every trait value's figures recounted from the base items: tokenCount from the NFTs, listedCount and floor from
 * the active listings, the top offer from the open trait offers (as of when the aggregator last read the offer
 * book); and the trait price entries: one per active listing and trait, carrying the listing's traits. A listing
 * carries its NFT's traits. Figures are the stream aggregator's: drain the stream first (or `aggregates: false`).
 */
export function recountTraits(items: Item[], options: { aggregates?: boolean } = {}): TraitRecount {
  const of = (entity: string) => items.filter((i) => i.entity === entity);
  const problems: string[] = [];
  const expected = new Map<string, { tokenCount: number; listedCount: number; floor: number | null }>();
  const figure = (collectionId: string, t: Attribute) => {
    const id = traitOf(collectionId, t);
    if (!expected.has(id)) expected.set(id, { tokenCount: 0, listedCount: 0, floor: null });
    return expected.get(id)!;
  };
  const nfts = new Map(of('nft').map((n) => [n.nftId, n]));
  for (const nft of nfts.values()) for (const t of nft.attributes ?? []) figure(nft.collectionId, t).tokenCount += 1;
  const active = of('listing').filter((l) => l.status === 'active');
  const wantedEntries: string[] = [];
  for (const listing of active) {
    if (JSON.stringify(listing.attributes ?? []) !== JSON.stringify(nfts.get(listing.nftId)?.attributes ?? [])) {
      problems.push(`listing ${listing.listingId}: traits ${JSON.stringify(listing.attributes)}, its NFT's ${JSON.stringify(nfts.get(listing.nftId)?.attributes)}`);
    }
    for (const t of listing.attributes ?? []) {
      const f = figure(listing.collectionId, t);
      f.listedCount += 1;
      f.floor = f.floor === null ? listing.price : Math.min(f.floor, listing.price);
      wantedEntries.push(`${traitOf(listing.collectionId, t)} ${listing.listingId} ${listing.price} ${JSON.stringify(listing.attributes)}`);
    }
  }
  const entries = of('trait-price-entry').map((e) => {
    const carried = e.attributes as Attribute[];
    const t = carried.find((a) => e.pk.endsWith(`#${encodeURIComponent(a.key)}#${encodeURIComponent(a.value)}`));
    return `${t ? traitOf(e.collectionId, t) : `?${e.pk}`} ${e.listingId} ${e.price} ${JSON.stringify(carried)}`;
  });
  const stored = new Set(entries);
  const wanted = new Set(wantedEntries);
  const missing = wantedEntries.filter((e) => !stored.has(e));
  const extra = entries.filter((e) => !wanted.has(e));
  if (missing.length > 0 || extra.length > 0) problems.push(`trait price entries: missing ${missing.slice(0, 3).join('; ')}, not active ${extra.slice(0, 3).join('; ')} (${missing.length}/${extra.length})`);

  if (options.aggregates !== false) {
    const openTraitOffers = new Map<string, Item[]>();
    for (const o of of('offer').filter((offer) => offer.status === 'open' && offer.trait)) {
      const id = traitOf(o.collectionId, o.trait);
      openTraitOffers.set(id, [...(openTraitOffers.get(id) ?? []), o]);
    }
    for (const item of of('trait')) {
      const id = traitOf(item.collectionId, { key: item.traitKey, value: item.traitValue });
      const want = expected.get(id) ?? { tokenCount: 0, listedCount: 0, floor: null };
      expected.delete(id);
      const name = `trait ${id}`;
      if (item.tokenCount !== want.tokenCount) problems.push(`${name}: tokenCount ${item.tokenCount}, NFTs ${want.tokenCount}`);
      if (item.listedCount !== want.listedCount) problems.push(`${name}: listedCount ${item.listedCount}, active listings ${want.listedCount}`);
      if ((item.floorPrice ?? null) !== want.floor) problems.push(`${name}: floor ${item.floorPrice}, cheapest ${want.floor}`);
      const readAt = item.topOfferAsOf ?? '';
      const best = (openTraitOffers.get(id) ?? [])
        .filter((o) => o.createdAt <= readAt && o.expiresAt > readAt)
        .sort((a, b) => b.amount - a.amount || (a.createdAt < b.createdAt ? -1 : 1))[0];
      if ((item.topOfferId ?? null) !== (best?.offerId ?? null)) problems.push(`${name}: topOffer ${item.topOfferId}, best open ${best?.offerId ?? null}`);
    }
    for (const [id, want] of expected) problems.push(`trait ${id}: ${want.tokenCount} NFTs, ${want.listedCount} listed, but no trait item`);
  }
  return { values: of('trait').length, problems };
}
