import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { indexKeysFor } from '../../functions/data/keys.js';
import { bucketOf, distributionBuckets } from '../../functions/domain/holder-distribution.js';
import { bucketStart, historyIntervals } from '../../functions/domain/market-history.js';
import { recountTraits } from './trait-audit.js';

type Item = Record<string, any>;

/** Every item in the table (test code only: request paths never scan). */
export async function scanTable(doc: DynamoDBDocumentClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A canonical text for a value: object keys sorted at every level, so equal items compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Set) return `Set${canonical([...value].map(canonical).sort())}`;
  if (value && typeof value === 'object') {
    const record = value as Item;
    return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Every item of the table, canonical and sorted: proves a rejected request wrote nothing. */
export async function tableSnapshot(doc: DynamoDBDocumentClient, tableName: string): Promise<string[]> {
  return (await scanTable(doc, tableName)).map(canonical).sort();
}

export interface Audit {
  problems: string[];
  totals: {
    topups: number; reversed: number; withdrawn: number; shortfalls: number;
    balances: number; held: number; platformFees: number; pendingCredits: number; traitValues: number;
  };
}

/**
 * The marketplace's invariants, checked over the whole table:
 * money is conserved (balances + held + fees = payments succeeded - refunds and lost disputes - withdrawals
 * paid + shortfalls owed, counting credits not yet added to accounts), every held amount backs an open offer, a
 * top bid or a withdrawal not yet paid out, every NFT has exactly one owner that the holder counts
 * agree with, presale shards add up, collection stats and floors match the listings, and so does every trait's
 * tokenCount, listedCount, floor and top offer (test/support/trait-audit.ts). Stats, holders
 * and presale `sold` are the stream aggregator's: drain the stream before auditing them (or leave them out
 * with `aggregates: false`).
 */
export async function auditTable(doc: DynamoDBDocumentClient, tableName: string, options: { aggregates?: boolean } = {}): Promise<Audit> {
  const items = await scanTable(doc, tableName);
  const of = (entity: string) => items.filter((i) => i.entity === entity);
  const problems: string[] = [];
  // An account as its owner sees it: the stored figures plus credits the aggregator has not added yet.
  const effective = new Map<string, { balance: number; held: number }>();
  for (const a of of('account')) effective.set(a.userId, { balance: a.balance, held: a.held });
  for (const credit of of('credit')) {
    const account = effective.get(credit.userId) ?? { balance: 0, held: 0 };
    effective.set(credit.userId, { balance: account.balance + credit.balanceDelta, held: account.held + credit.heldDelta });
  }
  const accounts = [...effective].map(([userId, figures]) => ({ userId, ...figures }));
  const isPlatform = (a: { userId: string }) => a.userId.startsWith('~platform-');
  // Money in: payments that succeeded (the seed's top-ups say 'completed'); out: what refunds and lost disputes
  // took back and withdrawals paid out. A shortfall is what a refund or dispute could not take (docs/payments.md).
  const paid = of('topup').filter((t) => t.status === 'succeeded' || t.status === 'completed');
  const payments = {
    reversed: paid.reduce((s, t) => s + (t.refunded ?? 0) + (t.disputeLost ?? 0), 0),
    withdrawn: of('withdrawal').filter((w) => w.status === 'paid').reduce((s, w) => s + w.amount, 0),
    shortfalls: of('account').reduce((s, a) => s + (a.shortfall ?? 0), 0),
  };
  const totals = {
    topups: paid.reduce((s, t) => s + t.amount, 0),
    ...payments,
    balances: accounts.filter((a) => !isPlatform(a)).reduce((s, a) => s + a.balance, 0),
    held: accounts.reduce((s, a) => s + a.held, 0),
    platformFees: accounts.filter(isPlatform).reduce((s, a) => s + a.balance, 0),
    pendingCredits: of('credit').length,
  };
  if (totals.balances + totals.held + totals.platformFees !== totals.topups - totals.reversed - totals.withdrawn + totals.shortfalls) {
    problems.push(`money: balances ${totals.balances} + held ${totals.held} + fees ${totals.platformFees} != payments ${totals.topups} - taken back ${totals.reversed} - withdrawn ${totals.withdrawn} + shortfalls ${totals.shortfalls}`);
  }
  for (const account of of('account')) {
    if ((account.shortfall ?? 0) < 0 || (account.openDisputes ?? 0) < 0) problems.push(`account ${account.userId} shortfall ${account.shortfall} open disputes ${account.openDisputes}`);
  }
  for (const account of [...of('account'), ...accounts]) {
    if (account.balance < 0 || account.held < 0 || !Number.isInteger(account.balance) || !Number.isInteger(account.held)) {
      problems.push(`account ${account.userId} balance ${account.balance} held ${account.held}`);
    }
  }

  const expectedHeld = new Map<string, number>();
  const hold = (user: string, amount: number) => expectedHeld.set(user, (expectedHeld.get(user) ?? 0) + amount);
  for (const offer of of('offer')) if (offer.status === 'open') hold(offer.buyer, offer.amount);
  for (const auction of of('auction')) if (!auction.settledAt && auction.highestBidder) hold(auction.highestBidder, auction.highestBid);
  for (const withdrawal of of('withdrawal')) if (withdrawal.status === 'requested' || withdrawal.status === 'processing') hold(withdrawal.userId, withdrawal.amount);
  for (const account of accounts) {
    if ((expectedHeld.get(account.userId) ?? 0) !== account.held) {
      problems.push(`held: ${account.userId} holds ${account.held}, open offers and top bids say ${expectedHeld.get(account.userId) ?? 0}`);
    }
  }

  const shards = of('presale-shard');
  for (const presale of of('presale')) {
    const own = shards.filter((s) => s.presaleId === presale.presaleId);
    const sold = own.reduce((sum, s) => sum + s.sold, 0);
    if (own.length !== presale.shards || own.reduce((sum, s) => sum + s.supply, 0) !== presale.supply) problems.push(`presale ${presale.presaleId}: shards do not add up to its supply`);
    if (own.some((s) => s.sold > s.supply)) problems.push(`presale ${presale.presaleId}: a shard sold past its supply`);
    if (options.aggregates !== false && presale.sold !== sold) problems.push(`presale ${presale.presaleId}: sold ${presale.sold}, shards say ${sold}`);
  }

  const nfts = of('nft');
  const holdings = new Map<string, number>();
  for (const nft of nfts) {
    if (typeof nft.owner !== 'string' || nft.gsi1pk !== `OWNER#${nft.owner}`) problems.push(`nft ${nft.nftId} owner ${nft.owner} index ${nft.gsi1pk}`);
    holdings.set(`${nft.collectionId}|${nft.owner}`, (holdings.get(`${nft.collectionId}|${nft.owner}`) ?? 0) + 1);
  }
  for (const holder of options.aggregates === false ? [] : of('holder')) {
    const key = `${holder.pk.slice('COLLECTION#'.length)}|${holder.sk.slice('HOLDER#'.length)}`;
    if ((holdings.get(key) ?? 0) !== holder.count) problems.push(`holder ${key}: count ${holder.count}, owns ${holdings.get(key) ?? 0}`);
    holdings.delete(key);
  }
  if (options.aggregates !== false) for (const [key, count] of holdings) problems.push(`holder ${key}: owns ${count} with no holder record`);

  const activeListings = of('listing').filter((l) => l.status === 'active');
  const nftById = new Map(nfts.map((n) => [n.nftId, n]));
  for (const listing of activeListings) {
    const nft = nftById.get(listing.nftId);
    if (nft?.listingId !== listing.listingId || nft?.owner !== listing.seller) problems.push(`listing ${listing.listingId} not held by its NFT/seller`);
  }
  for (const auction of of('auction').filter((a) => !a.settledAt)) {
    const nft = nftById.get(auction.nftId);
    if (nft?.auctionId !== auction.auctionId || nft?.owner !== auction.seller) problems.push(`auction ${auction.auctionId} not held by its NFT/seller`);
  }
  for (const nft of nfts) {
    if (nft.listingId && !activeListings.some((l) => l.listingId === nft.listingId)) problems.push(`nft ${nft.nftId} points at closed listing ${nft.listingId}`);
  }
  for (const collection of options.aggregates === false ? [] : of('collection')) {
    const listed = activeListings.filter((l) => l.collectionId === collection.collectionId);
    const floor = listed.reduce((best: Item | null, l) => (best === null || l.price < best.price ? l : best), null);
    if (collection.listedCount !== listed.length) problems.push(`collection ${collection.collectionId}: listedCount ${collection.listedCount}, active ${listed.length}`);
    if ((collection.floorPrice ?? null) !== (floor?.price ?? null)) problems.push(`collection ${collection.collectionId}: floor ${collection.floorPrice}, cheapest ${floor?.price ?? null}`);
    const owners = new Set(nfts.filter((n) => n.collectionId === collection.collectionId).map((n) => n.owner)).size;
    if (collection.owners !== owners) problems.push(`collection ${collection.collectionId}: owners ${collection.owners}, distinct ${owners}`);
  }
  for (const holder of options.aggregates === false ? [] : of('holder')) {
    if ((holder.count > 0) !== (holder.gsi1pk === `HOLDINGS#${holder.userId}`)) problems.push(`holder ${holder.pk}/${holder.sk}: count ${holder.count}, in holdings index: ${holder.gsi1pk}`);
  }
  const openOffers = of('offer').filter((o) => o.status === 'open');
  for (const offer of options.aggregates === false ? [] : openOffers.filter((o) => o.nftId)) {
    const owner = nftById.get(offer.nftId)?.owner;
    if (offer.recipient !== owner || offer.gsi2pk !== `OFFERS_TO#${owner}`) problems.push(`offer ${offer.offerId}: received by ${offer.recipient} (${offer.gsi2pk}), the NFT's owner is ${owner}`);
  }
  for (const collection of options.aggregates === false ? [] : of('collection')) {
    // The best collection offer open when the aggregator last read the offer book.
    const readAt = collection.topOfferAsOf ?? '';
    const best = openOffers
      .filter((o) => !o.nftId && !o.trait && o.collectionId === collection.collectionId && o.createdAt <= readAt && o.expiresAt > readAt)
      .sort((a, b) => b.amount - a.amount || (a.createdAt < b.createdAt ? -1 : 1))[0];
    if ((collection.topOfferId ?? null) !== (best?.offerId ?? null)) problems.push(`collection ${collection.collectionId}: topOffer ${collection.topOfferId}, best open ${best?.offerId ?? null}`);
  }
  if (options.aggregates !== false) problems.push(...recountDistributions(of('holder'), of('holder-distribution')), ...recountHistory(of('activity'), of('history')));
  const priceEntries = of('price-entry').map((p) => p.listingId).sort();
  const activeIds = activeListings.map((l) => l.listingId).sort();
  if (JSON.stringify(priceEntries) !== JSON.stringify(activeIds)) problems.push('price entries differ from active listings');
  const traits = recountTraits(items, options);
  problems.push(...traits.problems);
  return { problems, totals: { ...totals, traitValues: traits.values } };
}

/**
 * Each collection's holder distribution against its holder counts (holders per bucket, NFTs held in all), and
 * each holder's place in the holder index (only while it holds any).
 */
function recountDistributions(holders: Item[], distributions: Item[]): string[] {
  const problems: string[] = [];
  const expected = new Map<string, Item>();
  for (const holder of holders) {
    const rank = holder.count > 0 ? indexKeysFor.holderRank(holder as { collectionId: string; userId: string; count: number }) : { gsi2pk: undefined, gsi2sk: undefined };
    if (holder.gsi2pk !== rank.gsi2pk || holder.gsi2sk !== rank.gsi2sk) problems.push(`holder ${holder.collectionId}/${holder.userId}: count ${holder.count}, holder index ${holder.gsi2pk} ${holder.gsi2sk}`);
    const field = bucketOf(holder.count);
    if (field === null) continue;
    const counts = expected.get(holder.collectionId) ?? { tokens: 0 };
    counts.tokens += holder.count;
    counts[field] = (counts[field] ?? 0) + 1;
    expected.set(holder.collectionId, counts);
  }
  const stored = new Map(distributions.map((d) => [d.collectionId as string, d]));
  for (const collectionId of new Set([...expected.keys(), ...stored.keys()])) {
    const want = expected.get(collectionId) ?? {};
    const have = stored.get(collectionId) ?? {};
    for (const field of ['tokens', ...distributionBuckets.map((b) => b.field)]) {
      if ((have[field] ?? 0) !== (want[field] ?? 0)) problems.push(`holder distribution ${collectionId}: ${field} ${have[field] ?? 0}, holder counts say ${want[field] ?? 0}`);
    }
  }
  return problems;
}

/**
 * Each history bucket's sales and volume against the sale activities in it: what the aggregator counted
 * (a seeded bucket's `seededSales`/`seededVolume` came with the seed, with no activity behind them).
 */
function recountHistory(activities: Item[], buckets: Item[]): string[] {
  const problems: string[] = [];
  const counted = new Map<string, { sales: number; volume: number }>();
  for (const sale of activities.filter((a) => a.kind === 'sale')) {
    for (const interval of historyIntervals) {
      const key = `${sale.collectionId}|${interval}|${bucketStart(interval, Date.parse(sale.at))}`;
      const figures = counted.get(key) ?? { sales: 0, volume: 0 };
      figures.sales += 1;
      figures.volume += sale.price;
      counted.set(key, figures);
    }
  }
  for (const bucket of buckets) {
    const key = `${bucket.collectionId}|${bucket.interval}|${bucket.t}`;
    const want = counted.get(key) ?? { sales: 0, volume: 0 };
    counted.delete(key);
    const sales = (bucket.sales ?? 0) - (bucket.seededSales ?? 0);
    const volume = (bucket.volume ?? 0) - (bucket.seededVolume ?? 0);
    if (sales !== want.sales || (volume !== want.volume && bucket.volume !== Number.MAX_SAFE_INTEGER)) {
      problems.push(`history ${key}: sales ${sales} volume ${volume}, sale activities say ${want.sales} and ${want.volume}`);
    }
  }
  for (const [key, want] of counted) problems.push(`history ${key}: no bucket for ${want.sales} sale(s)`);
  return problems;
}
