import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { items } from '../functions/data/items.js';
import type { Listing, Collection } from '../functions/domain/market.js';
import type { Offer } from '../functions/domain/offers.js';
import { presaleShardCount, shardSupply } from '../functions/domain/presale-shards.js';
import { distributionChange } from '../functions/domain/holder-distribution.js';
import { allTimeWindow } from '../functions/domain/stats-windows.js';
import { seedHistory } from './seed-history.js';
import { assignAttributes } from '../functions/domain/traits.js';
import { seedTraitItems, seedTraitPriceEntries, seedTraitTable } from './seed-traits.js';

export interface SeedSize {
  collections: number;
  nfts: number;
  listings: number;
  auctions: number;
  presales: number;
  users: number;
}

export const defaultSeedSize: SeedSize = {
  collections: 50, nfts: 20_000, listings: 5_000, auctions: 200, presales: 20, users: 1_000,
};

/** Small, fast marketplace for tests: every kind of record, every user with data. */
export const testSeedSize: SeedSize = {
  collections: 5, nfts: 300, listings: 120, auctions: 30, presales: 9, users: 20,
};

export interface SeedSummary {
  size: SeedSize;
  items: number;
  now: string;
  totals: { topups: number; offers: number; openOfferHeld: number; bidHeld: number };
}

/** mulberry32: a tiny deterministic PRNG, so every seeded marketplace is the same. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const adjectives = ['Cosmic', 'Neon', 'Pixel', 'Lunar', 'Crypto', 'Golden', 'Shadow', 'Electric', 'Quantum', 'Wild'];
const nouns = ['Apes', 'Cats', 'Punks', 'Dragons', 'Robots', 'Whales', 'Foxes', 'Knights', 'Owls', 'Skulls'];

const minute = 60_000;

/** Map.groupBy is Node 21+; this runs on Node 20 too. */
function groupBy<T>(list: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
const iso = (ms: number) => new Date(ms).toISOString();

/** Builds the whole demo marketplace in memory; `writeSeed` stores it. Consistent by construction:
 * every held amount is an open offer or a top bid, balance + held = sum of top-ups per user. */
export function buildSeed(size: SeedSize, nowMs = Date.now()): { items: Record<string, unknown>[]; totals: SeedSummary['totals'] } {
  const random = prng(20251202);
  // Traits draw from a stream of their own, so everything else is seeded as it was before NFTs had traits.
  const traitRandom = prng(20251203);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const user = (i: number) => `user-${i}`;
  const out: Record<string, unknown>[] = [];

  const collections = Array.from({ length: size.collections }, (_, i) => ({
    collectionId: `col-${i + 1}`,
    name: `${adjectives[i % adjectives.length]} ${nouns[Math.floor(i / adjectives.length) % nouns.length]}${i >= 100 ? ` ${i}` : ''}`,
    image: `https://images.example.com/collections/col-${i + 1}.png`,
    creator: user((i % size.users) + 1),
    royaltyBps: between(0, 1000),
    // Older than the 90 days of history each collection gets.
    createdAt: iso(nowMs - (90 + size.collections - i) * 24 * 60 * minute),
    traitTable: seedTraitTable(traitRandom),
  }));

  const nfts = Array.from({ length: size.nfts }, (_, i) => {
    const collection = collections[i % size.collections]!;
    return {
      nftId: `nft-${i + 1}`,
      collectionId: collection.collectionId,
      name: `${collection.name} #${Math.floor(i / size.collections) + 1}`,
      image: `https://images.example.com/nfts/nft-${i + 1}.png`,
      // The first `users` NFTs go one to each user, so every user owns something.
      owner: i < size.users ? user(i + 1) : user(between(1, size.users)),
      listingId: null as string | null,
      auctionId: null as string | null,
      mintedAt: iso(nowMs - (size.nfts - i) * minute),
      // As a mint of the collection would draw them: 4 to 8 traits, rare values on under 1 % of the collection.
      attributes: assignAttributes(collection.traitTable, `nft-${i + 1}`),
    };
  });

  // A shuffled order decides which NFTs are listed and which are auctioned (never both).
  const order = nfts.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }

  const listings: Listing[] = order.slice(0, size.listings).map((nftIndex, j) => {
    const nft = nfts[nftIndex]!;
    const listing: Listing = {
      listingId: `lst-${j + 1}`, nftId: nft.nftId, collectionId: nft.collectionId, seller: nft.owner,
      price: between(1_000, 5_000_000), listedAt: iso(nowMs - (j + 1) * 37_000), name: nft.name, image: nft.image,
      attributes: nft.attributes,
    };
    nft.listingId = listing.listingId;
    return listing;
  });

  const accounts = new Map<string, { topups: number; held: number }>();
  for (let i = 1; i <= size.users; i++) accounts.set(user(i), { topups: 0, held: 0 });
  const topupTimes = new Map<string, number>();
  for (const [userId, account] of accounts) {
    const count = between(2, 6);
    for (let t = 0; t < count; t++) {
      const amount = between(10_000, 2_000_000);
      const createdAtMs = nowMs - between(60, 90 * 24 * 60) * minute;
      const topupId = `top-${userId}-${t + 1}`;
      out.push(items.topup({ userId, topupId, amount, createdAt: iso(createdAtMs) }));
      out.push(items.ledgerEntry({
        userId, entryId: topupId, at: iso(createdAtMs), kind: 'topup', balanceDelta: amount, heldDelta: 0, reference: topupId,
      }));
      account.topups += amount;
      topupTimes.set(userId, Math.max(topupTimes.get(userId) ?? 0, createdAtMs));
    }
  }
  const hold = (userId: string, amount: number, reference: string, atMs: number): boolean => {
    const account = accounts.get(userId)!;
    if (account.topups - account.held < amount) return false;
    account.held += amount;
    out.push(items.ledgerEntry({
      userId, entryId: `hold-${reference}`, at: iso(Math.max(atMs, topupTimes.get(userId)! + 1)), kind: 'hold',
      balanceDelta: -amount, heldDelta: amount, reference,
    }));
    return true;
  };

  const auctioned = order.slice(size.listings, size.listings + size.auctions);
  auctioned.forEach((nftIndex, j) => {
    const nft = nfts[nftIndex]!;
    const phase = j % 3; // 0 live, 1 upcoming, 2 ended
    const startsAtMs = phase === 1 ? nowMs + between(60, 7 * 24 * 60) * minute : nowMs - between(60, 3 * 24 * 60) * minute;
    const endsAtMs = phase === 2 ? nowMs - between(1, 59) * minute : Math.max(startsAtMs, nowMs) + between(30, 5 * 24 * 60) * minute;
    const auctionId = `auc-${j + 1}`;
    const reservePrice = between(5_000, 1_000_000);
    let highestBid: number | null = null;
    let highestBidder: string | null = null;
    let bidCount = 0;
    if (phase === 0 && random() < 0.7) {
      const bidder = user(between(1, size.users));
      const amount = reservePrice + between(0, 50_000);
      if (bidder !== nft.owner && hold(bidder, amount, auctionId, startsAtMs)) {
        highestBid = amount; highestBidder = bidder; bidCount = between(1, 12);
      }
    }
    if (phase !== 2) nft.auctionId = auctionId;
    out.push(items.auction({
      auctionId, nftId: nft.nftId, collectionId: nft.collectionId, seller: nft.owner, name: nft.name, image: nft.image,
      reservePrice, highestBid, highestBidder, bidCount, startsAt: iso(startsAtMs), endsAt: iso(endsAtMs), scheduledEndsAt: iso(endsAtMs),
      settledAt: phase === 2 ? iso(endsAtMs + minute) : null, minIncrementBps: 500,
    }));
  });

  for (let j = 0; j < size.presales; j++) {
    const collection = collections[j % size.collections]!;
    const phase = j % 3;
    const startsAtMs = phase === 1 ? nowMs + between(60, 14 * 24 * 60) * minute : nowMs - between(60, 7 * 24 * 60) * minute;
    const endsAtMs = phase === 2 ? nowMs - between(1, 24 * 60) * minute : Math.max(startsAtMs, nowMs) + between(60, 14 * 24 * 60) * minute;
    const supply = between(50, 5_000);
    const presaleId = `pre-${j + 1}`;
    const perWalletLimit = between(1, 10);
    const shards = presaleShardCount(supply, perWalletLimit);
    let unsold = supply - (phase === 1 ? 0 : between(0, supply));
    const shardItems = Array.from({ length: shards }, (_, shard) => {
      const shardHolds = shardSupply(supply, shards, shard);
      const left = Math.min(unsold, shardHolds);
      unsold -= left;
      return items.presaleShard({ presaleId, shard, supply: shardHolds, sold: shardHolds - left });
    });
    out.push(items.presale({
      presaleId, collectionId: collection.collectionId, creator: collection.creator,
      name: `${collection.name} presale ${Math.floor(j / size.collections) + 1}`, image: collection.image,
      price: between(1_000, 200_000), supply, sold: shardItems.reduce((sum, s) => sum + s.sold, 0), perWalletLimit,
      startsAt: iso(startsAtMs), endsAt: iso(endsAtMs), shards,
    }), ...shardItems);
  }

  let offerCount = 0;
  let openOfferHeld = 0;
  const collectionOffers: Offer[] = [];
  /** An offer on one NFT, or (with no NFT) on its whole collection. */
  const makeOffer = (buyer: string, target: { nftId: string | null; owner: string | null; collectionId: string }, expired: boolean) => {
    const createdAtMs = nowMs - between(1, 20 * 24 * 60) * minute;
    const offer: Offer = {
      offerId: `off-${++offerCount}`, buyer, recipient: target.owner, nftId: target.nftId, collectionId: target.collectionId,
      amount: between(1_000, 300_000), createdAt: iso(createdAtMs), status: 'open', trait: null,
      expiresAt: iso(expired ? nowMs - between(1, 60) * minute : nowMs + between(1, 30 * 24 * 60) * minute),
    };
    if (expired) offer.status = 'expired';
    else if (!hold(buyer, offer.amount, offer.offerId, createdAtMs)) offer.status = 'cancelled';
    else openOfferHeld += offer.amount;
    out.push(items.offer(offer));
    if (target.nftId === null) collectionOffers.push(offer);
  };
  for (let i = 1; i <= size.users; i++) {
    const buyer = user(i);
    const count = between(2, 4);
    for (let k = 0; k < count; k++) {
      const nft = nfts[(i * 7 + k * 13) % size.nfts]!;
      if (nft.owner !== buyer) makeOffer(buyer, nft, k === count - 1 && i % 5 === 0);
    }
    // Everyone also receives at least one offer on their first NFT.
    const theirs = nfts[i - 1]!;
    const bidderFor = user((i % size.users) + 1);
    if (bidderFor !== theirs.owner) makeOffer(bidderFor, theirs, false);
  }
  // A few collection offers per collection, so holders receive some and collections have a top offer.
  for (const [j, collection] of collections.entries()) {
    for (let k = 0; k < 3; k++) makeOffer(user(((j * 11 + k * 17) % size.users) + 1), { nftId: null, owner: null, collectionId: collection.collectionId }, k === 2 && j % 4 === 0);
  }
  // Two trait offers per collection, on traits of its NFTs (from the traits' own random stream).
  const traitOffers: Offer[] = [];
  for (const [j, collection] of collections.entries()) {
    for (let k = 0; k < 2; k++) {
      const { key, values } = collection.traitTable.traits[Math.floor(traitRandom() * collection.traitTable.traits.length)]!;
      const buyer = user(((j * 7 + k * 5) % size.users) + 1);
      const createdAtMs = nowMs - (1 + Math.floor(traitRandom() * 20 * 24 * 60)) * minute;
      const offer: Offer = {
        offerId: `off-${++offerCount}`, buyer, recipient: null, nftId: null, collectionId: collection.collectionId,
        amount: 1_000 + Math.floor(traitRandom() * 300_000), createdAt: iso(createdAtMs), status: 'open',
        expiresAt: iso(nowMs + (1 + Math.floor(traitRandom() * 30 * 24 * 60)) * minute),
        trait: { key, value: values[Math.floor(traitRandom() * (values.length - 1))]!.value },
      };
      if (hold(buyer, offer.amount, offer.offerId, createdAtMs)) openOfferHeld += offer.amount;
      else offer.status = 'cancelled';
      out.push(items.offer(offer));
      traitOffers.push(offer);
    }
  }
  const topOffer = (collectionId: string) => {
    const best = collectionOffers
      .filter((o) => o.collectionId === collectionId && o.status === 'open')
      .sort((a, b) => b.amount - a.amount || (a.createdAt < b.createdAt ? -1 : 1))[0];
    return best ? { offerId: best.offerId, amount: best.amount } : null;
  };

  let topupTotal = 0;
  let heldTotal = 0;
  for (const [userId, account] of accounts) {
    topupTotal += account.topups;
    heldTotal += account.held;
    out.push(items.account({
      userId, balance: account.topups - account.held, held: account.held, updatedAt: iso(nowMs - minute),
    }));
  }

  const listingsByCollection = groupBy(listings, (l) => l.collectionId);
  const ownersByCollection = groupBy(nfts, (n) => n.collectionId);
  for (const collection of collections) {
    const listed = listingsByCollection.get(collection.collectionId) ?? [];
    const floor = listed.reduce<Listing | null>((best, l) => (best === null || l.price < best.price ? l : best), null);
    const history = seedHistory(random, collection.collectionId, floor?.price ?? between(5_000, 400_000), nowMs);
    out.push(...history.items);
    // All time: the 90 days of history and the sales before them.
    const earlierSales = between(0, 2_000);
    const sales = history.sales + earlierSales;
    const volume = history.volume + earlierSales * between(5_000, 400_000);
    const stats: Collection['stats'] = {
      floorPrice: floor?.price ?? null,
      listedCount: listed.length,
      volume,
      sales,
      owners: new Set((ownersByCollection.get(collection.collectionId) ?? []).map((n) => n.owner)).size,
      topOffer: topOffer(collection.collectionId),
      statsAsOf: iso(nowMs),
      floorAsOf: iso(nowMs),
      topOfferAsOf: iso(nowMs),
      windows: { ...history.windows, all: allTimeWindow(volume, sales) },
      windowsAsOf: iso(nowMs),
    };
    out.push(items.collection({ ...collection, stats, floorListingId: floor?.listingId ?? null }));
  }

  for (const listing of listings) {
    const listed = items.activity({
      activityId: `act-${listing.listingId}`, at: listing.listedAt, kind: 'listing', nftId: listing.nftId,
      collectionId: listing.collectionId, actor: listing.seller, price: listing.price, reference: listing.listingId,
      attributes: listing.attributes,
    });
    // The stream aggregator starts after the seed: the seed writes the copies it would write.
    out.push(items.activeListing(listing), items.priceEntry(listing), ...seedTraitPriceEntries(listing), listed, ...items.userActivities(listed));
  }
  for (const nft of nfts) out.push(items.nft(nft));
  out.push(...seedTraitItems(new Map(collections.map((c) => [c.collectionId, c.traitTable])), nfts, listings, traitOffers, iso(nowMs)));
  const holdings = groupBy(nfts, (n) => `${n.collectionId} ${n.owner}`);
  const counts = new Map<string, Map<string, number>>();
  for (const [key, held] of holdings) {
    const [collectionId, userId] = key.split(' ') as [string, string];
    out.push(items.holder({ collectionId, userId, count: held.length }));
    counts.set(collectionId, (counts.get(collectionId) ?? new Map()).set(userId, held.length));
  }
  for (const [collectionId, held] of counts) out.push(items.holderDistribution({ collectionId, ...distributionChange(new Map(), held) }));

  return { items: out, totals: { topups: topupTotal, offers: offerCount, openOfferHeld, bidHeld: heldTotal - openOfferHeld } };
}

async function writeBatch(doc: DynamoDBDocumentClient, tableName: string, batch: Record<string, unknown>[]): Promise<void> {
  let requests = batch.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 10) throw new Error('Seeding gave up: DynamoDB kept returning unprocessed items');
    const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
    requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    if (requests.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
  }
}

export async function writeSeed(
  client: DynamoDBClient, tableName: string, size: SeedSize, nowMs = Date.now(),
): Promise<SeedSummary> {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const seed = buildSeed(size, nowMs);
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < seed.items.length; i += 25) batches.push(seed.items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await writeBatch(doc, tableName, batches[next++]!);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { size, items: seed.items.length, now: iso(nowMs), totals: seed.totals };
}
