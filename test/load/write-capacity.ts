/**
 * The write side of `npm run capacity`: a 10,000-user presale drop and a hot-collection sweep, per second, item by
 * item and partition key by partition key, against DynamoDB's per-partition (and per-item) limits of 1,000 WCU/s
 * and 3,000 RCU/s, in the old design (every trade writes its collection, the creator's account and the presale
 * item) and the new one (trades write unique credit, activity and price-entry items; a stream consumer folds
 * them into collections, presales and accounts in batches). See docs/load-testing.md, "The write side".
 *
 * Each operation lists what it touches: an item (or a family of items, named by key template) in a partition
 * key of the table or of an index, with the units one operation costs there and how many distinct items and
 * partition keys the operations spread over. Transactional writes cost 2 WCU per KB of item (rounded up); an index
 * entry written for it, 1 WCU (indexes are updated after the transaction, as standard writes); a consistent
 * read, 1 RCU per item up to 4 KB (a Query: per 4 KB of everything it read). Items are under 1 KB except where
 * their size is computed from the code's own item builders (a ledger entry naming every credit it applied).
 *
 * What the new design does is read from the code, not copied: fee account shards (functions/domain/money.ts),
 * presale shards (functions/domain/presale-shards.ts), how many activities the aggregator folds per transaction
 * (its greedy rule over functions/domain/market-stats.ts), item sizes (functions/data/items.ts). Three constants
 * the code keeps private are mirrored in `codeConstants`; test/loadtest/capacity.test.ts checks them against the
 * source.
 */
import { statsChange, type ActivityFacts } from '../../functions/domain/market-stats.js';
import { historyAndDistributionItems } from '../../functions/domain/market-history.js';
import { platformAccountShards } from '../../functions/domain/money.js';
import { maxPresaleShards, presaleShardCount } from '../../functions/domain/presale-shards.js';
import { items as storedItems } from '../../functions/data/items.js';
import { streamConsumers } from '../../functions/stream-consumers.js';

export const partitionLimits = { wcu: 1_000, rcu: 3_000 } as const;
/** On-demand table quotas: per table, and what a new table takes at once (capacity.ts quotas). */
export const tableLimits = { wru: 40_000, rru: 40_000, newWru: 4_000, newRru: 12_000 } as const;
/**
 * How long a transaction holds its items: DynamoDB cancels a second transaction on an item in flight
 * (TransactionConflict), so trades sharing an item run one at a time, at most 1 s / this many per second.
 */
export const transactionHoldMs = 25;

/**
 * Constants the new design's code keeps private, mirrored here (the capacity test reads each file and fails when
 * one of them changes): `file` and `name` say where.
 */
export const codeConstants = {
  /** DynamoDB's limit on the items of one transaction, which the aggregator fills greedily. */
  maxTransactionItems: { value: 100, file: 'functions/usecases/aggregate-market.ts', name: 'maxTransactionItems' },
  /** Credits per account transaction: each deleted, plus ONE account update and ONE ledger entry. */
  creditsPerTransaction: { value: 98, file: 'functions/usecases/pending-credits.ts', name: 'creditsPerTransaction' },
  /** Shards a purchase reads first, at random; all of them only when the sample cannot fill it. */
  shardSample: { value: 8, file: 'functions/usecases/presales.ts', name: 'shardSample' },
} as const;

/** The old design (commit 7284aee): fees over 10 accounts (its functions/domain/money.ts). */
export const oldDesign = { platformAccounts: 10 } as const;

type Spread = number | 'unique';

interface Touch {
  /** The item as a key template ("PRESALE#<presale> / PRESALE"); null for an index entry or a Query's range. */
  item: string | null;
  /** "table <pk>" or "<index> <index pk>". */
  partition: string;
  /** Units one operation costs here (a read of 50 shards: 50). */
  wcu?: number;
  rcu?: number;
  /** Distinct items (and partition keys) the operations spread these units over; 'unique': a new one each time. */
  items?: Spread;
  partitions: Spread;
  /** Items one operation writes here (default 1 when it writes). */
  writes?: number;
}

export interface Operation {
  name: string;
  perSecond: number;
  touches: Touch[];
}

export interface Heat {
  name: string;
  wcu: number;
  rcu: number;
  /** Of `wcu`, what the trades themselves write (the rest: the stream consumer, operations named "stream: ..."). */
  tradeWcu: number;
  from: string[];
}

const isConsumer = (op: { name: string }) => op.name.startsWith('stream:');

export interface DesignResult {
  design: 'old' | 'new';
  operations: Array<{ name: string; perSecond: number; itemsWritten: number }>;
  items: Heat[];
  partitions: Heat[];
  table: { wcu: number; rcu: number };
}

export interface WorkloadResult {
  name: 'drop' | 'sweep';
  description: string;
  ratePerSecond: number;
  designs: DesignResult[];
  consumer: string[];
  /** What the new design assumes beyond the code (printed with the result). */
  assumptions: string[];
}

export interface WriteModelOptions {
  users: number;
  /** Presale supply (default: one per user). */
  dropSupply: number;
  /** The presale's per-wallet limit (default 1: every buyer buys one). */
  perWalletLimit?: number;
  /** Every user tries to buy once within this many seconds of the start. */
  dropSeconds: number;
  /** The stage's user-write throttle: the most trades per second that reach a function. */
  userWriteRate: number;
  /** Seconds a sweeping user waits between buys (plus the response). */
  sweepSecondsPerBuy: number;
  /** Stream shards of the table (about its partitions: 4 for a new on-demand table). */
  streamShards: number;
  /** Activities per collection transaction of the consumer (default: as many as the code fits in 100 items). */
  activitiesPerTransaction?: number;
  /**
   * Share of purchases whose sample of shards cannot fill them, so they read every shard again (default: the
   * purchases in the last shard's worth of supply, 1 / shards; none when there are no more shards than the sample).
   */
  fullReadShare?: number;
}

// ---- what the code does, derived from the code --------------------------------------------------------------------

/** DynamoDB's item size: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 digits + 1). */
export function itemBytes(item: Record<string, unknown>): number {
  const valueBytes = (value: unknown): number => {
    if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
    if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]|e.*$/g, '').replace(/^0+/, '').length / 2) + 1;
    if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
    if (value && typeof value === 'object') return 3 + itemBytes(value as Record<string, unknown>) + Object.keys(value).length;
    return 1; // null, boolean
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueBytes(value), 0);
}

/** Sample values as the code makes them: uuids, `pur-`/`lst-` ids, ISO times, the load test's creator id. */
const uuid = '00000000-0000-4000-8000-000000000000';
const sampleAt = '2026-12-01T12:00:00.000Z';
const sampleCreator = 'creator-loadtest-1764590400000';
/** A credit as trades write it, and what `applyPendingCredits` names of it in its one ledger entry. */
const creditOf = (kind: 'mint' | 'sale') => ({
  kind: kind === 'mint' ? 'presale-purchase' : 'sale', reference: `${kind === 'mint' ? 'pur' : 'lst'}-${uuid}`,
});

export function creditBytes(kind: 'mint' | 'sale'): number {
  return itemBytes(storedItems.credit({ userId: sampleCreator, creditId: uuid, at: sampleAt, ...creditOf(kind), balanceDelta: 95_000, heldDelta: 0 }));
}

/** The one ledger entry of an account transaction that applied `credits` credits: its reference names every one. */
export function ledgerEntryBytes(credits: number, kind: 'mint' | 'sale'): number {
  const { kind: creditKind, reference } = creditOf(kind);
  const names = Array.from({ length: Math.max(1, Math.round(credits)) }, () => `${creditKind}:${reference}`).join(' ');
  return itemBytes(storedItems.ledgerEntry({
    userId: sampleCreator, entryId: uuid, at: sampleAt, kind: 'credits', reference: names, balanceDelta: 9_500_000, heldDelta: 0,
  }));
}

/** A ledger entry's bytes as `fixed + perCredit x N` for N credits named. */
export function ledgerEntryFormula(kind: 'mint' | 'sale'): { fixed: number; perCredit: number } {
  const perCredit = ledgerEntryBytes(2, kind) - ledgerEntryBytes(1, kind);
  return { fixed: ledgerEntryBytes(1, kind) - perCredit, perCredit };
}

const accountBytes = itemBytes(storedItems.account({ userId: sampleCreator, balance: 9_500_000, held: 0, updatedAt: sampleAt }));

/**
 * Activities per aggregator transaction, by the code's greedy rule (aggregate-market.ts, transactionChunks): a
 * marker each, one holder item per distinct user, the collection, one item per presale sold from, the holder
 * distribution, and one history bucket per interval sold in (sales within one hour: 2), up to 100 items.
 * A drop's mints are by distinct buyers (48 per transaction); sales touch a distinct buyer and seller (32).
 */
export function activitiesPerTransaction(kind: 'mint' | 'sale', maxItems: number = codeConstants.maxTransactionItems.value): number {
  const activity = (i: number): ActivityFacts => (kind === 'mint'
    ? { activityId: `a${i}`, kind, collectionId: 'c', nftId: `n${i}`, actor: `buyer-${i}`, counterparty: null, price: 100, presaleId: 'p' }
    : { activityId: `a${i}`, kind, collectionId: 'c', nftId: `n${i}`, actor: `buyer-${i}`, counterparty: `seller-${i}`, price: 100, via: 'listing' });
  const itemsOf = (list: ActivityFacts[]) => {
    const change = statsChange(list);
    return list.length + change.holders.size + 1 + change.presaleSold.size + historyAndDistributionItems(list, new Date(sampleAt));
  };
  const chunk: ActivityFacts[] = [activity(0)];
  while (itemsOf([...chunk, activity(chunk.length)]) <= maxItems) chunk.push(activity(chunk.length));
  return chunk.length;
}

// ---- the stream consumer's batches --------------------------------------------------------------------------------

const consumer = streamConsumers.find((c) => c.id === 'aggregateMarket') ?? {
  batchSize: 100, maxBatchingWindowSeconds: 1, parallelizationFactor: 2,
};

/** Batches a lane (a shard's share under the parallelization factor) delivers per second for `records` per second. */
export function batchesPerSecond(records: number): number {
  if (records >= consumer.batchSize) return records / consumer.batchSize;
  return Math.min(records, 1 / Math.max(consumer.maxBatchingWindowSeconds, 0.001));
}

/**
 * Expected transactions for one batch of `records` records of which each is one of ours with probability `share`,
 * folded `chunk` at a time: E[ceil(X / chunk)], X ~ Binomial(records, share). (A batch of 100 holding on average
 * 50 mints needs two transactions of 49 about half the time, not always and not never.)
 */
export function transactionsPerBatch(records: number, share: number, chunk: number): number {
  const n = Math.max(1, Math.round(records));
  const p = Math.min(1, Math.max(0, share));
  if (p === 0) return 0;
  if (p === 1) return Math.ceil(n / chunk);
  let expected = 0;
  let logPmf = n * Math.log(1 - p); // k = 0
  for (let k = 1; k <= n; k++) {
    logPmf += Math.log((n - k + 1) / k) + Math.log(p / (1 - p));
    expected += Math.exp(logPmf) * Math.ceil(k / chunk);
  }
  return expected;
}

/** Credits to one group of payees: `keys` accounts (partition keys) sharing `perSecond` credits evenly. */
interface PayeeLoad {
  label: string;
  payee: string;
  keys: number;
  perSecond: number;
  /** A single key taking a large share of the stream: its own lane (records of one key stay on one lane). */
  ownLane: boolean;
}

interface StreamLoad {
  /** The hot collection's activities per second, of one kind. */
  activities: number;
  kind: 'mint' | 'sale';
  payees: PayeeLoad[];
}

interface PayeeRates extends PayeeLoad {
  /** Account transactions per second, per key, and the credits each applies on average. */
  transactionsPerKey: number;
  creditsPerTransaction: number;
}

function streamRates(o: WriteModelOptions, load: StreamLoad) {
  const lanes = o.streamShards * consumer.parallelizationFactor;
  const records = load.activities + load.payees.reduce((sum, p) => sum + p.perSecond, 0);
  const ownLaneRecords = load.payees.filter((p) => p.ownLane).reduce((sum, p) => sum + p.perSecond, 0);
  // Activities (NFT#<nft> keys) and credits to many payees spread evenly over the lanes; a hot payee's credits
  // all arrive on one lane, with that lane's share of the rest.
  const lane = { records: (records - ownLaneRecords) / lanes, batches: 0, perBatch: 0 };
  const hotLane = { records: lane.records + ownLaneRecords, batches: 0, perBatch: 0 };
  for (const l of [lane, hotLane]) {
    l.batches = batchesPerSecond(l.records);
    l.perBatch = l.batches > 0 ? l.records / l.batches : 0;
  }
  const chunk = o.activitiesPerTransaction ?? activitiesPerTransaction(load.kind);
  const activitiesPerLane = load.activities / lanes;
  const byLane = (perBatch: (l: typeof lane) => number) => (lanes - 1) * lane.batches * perBatch(lane) + hotLane.batches * perBatch(hotLane);
  const collectionTransactions = byLane((l) => transactionsPerBatch(l.perBatch, activitiesPerLane / l.records, chunk));
  // Batches holding any of the collection's activities: one floor refresh each when listings changed.
  const collectionBatches = byLane((l) => transactionsPerBatch(l.perBatch, activitiesPerLane / l.records, Number.MAX_SAFE_INTEGER));
  const creditsChunk = codeConstants.creditsPerTransaction.value;
  const payees: PayeeRates[] = load.payees.map((p) => {
    const l = p.ownLane ? hotLane : lane;
    const perKey = p.perSecond / p.keys;
    const transactionsPerKey = l.batches * transactionsPerBatch(l.perBatch, perKey / l.records, creditsChunk);
    return { ...p, transactionsPerKey, creditsPerTransaction: transactionsPerKey > 0 ? perKey / transactionsPerKey : 0 };
  });
  const hot = payees.find((p) => p.ownLane);
  const inFlight = (collectionTransactions * transactionHoldMs) / 1000;
  const serial = 1000 / transactionHoldMs;
  return {
    lanes, lane, hotLane, chunk, collectionTransactions, collectionBatches, payees,
    notes: [
      `${o.streamShards} stream shards x parallelization ${consumer.parallelizationFactor} = ${lanes} lanes: ${fmt(lane.records)} records/s on each, ` +
        `${fmt(lane.batches)} batches/s of ${fmt(lane.perBatch)}${hot ? `; the lane with ${hot.label}'s credits ${fmt(hotLane.records)} records/s, ` +
        `${fmt(hotLane.batches)} batches/s` : ''} (up to ${consumer.batchSize} records, ${consumer.maxBatchingWindowSeconds} s window)`,
      `hot collection: ${fmt(load.activities)} activities/s in ${fmt(collectionTransactions)} collection transactions/s (≤ ${chunk} ${load.kind}s each, ` +
        `greedy up to ${codeConstants.maxTransactionItems.value} items), from ${lanes} lanes at once, against ~${fmt(serial)}/s one at a time on the ` +
        `collection item (~${transactionHoldMs} ms a transaction): ${fmt(inFlight)} in flight on average, so about ${percent(1 - Math.exp(-inFlight))} ` +
        'meet one in flight and retry (TransactionConflict; retries not counted in the units)',
      ...payees.map((p) => `${p.label}: ${fmt(p.perSecond / p.keys)} credits/s${p.keys > 1 ? ` to each of ${fmt(p.keys)}` : ''}, ` +
        `${fmt(p.transactionsPerKey)} account transactions/s${p.keys > 1 ? ' each' : ''} of ${fmt(p.creditsPerTransaction)} credits ` +
        `(≤ ${creditsChunk}; one account update and one ledger entry each)`),
      ...(hot ? [`${hot.label}'s lane: each batch must finish within ${fmt(1000 / Math.max(hotLane.batches, 1))} ms or the stream falls behind ` +
        '(behind, a batch applies every credit pending in the table, up to 98 a transaction, so it catches up in fewer, fuller transactions)'] : []),
    ],
  };
}

// ---- operations -------------------------------------------------------------------------------------------------

const tx = 2; // WCU per KB of item in a transaction
const index = 1; // WCU per index entry written
const consistentRead = 1; // RCU per item read consistently (≤ 4 KB)
const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** Account, ledger entry and pending credits of a user: table partition USER#<id> ('<buyer>', '~platform-<k>'). */
const user = (who: string) => `table USER#${who}`;

function dropShards(o: WriteModelOptions) {
  const shards = presaleShardCount(o.dropSupply, o.perWalletLimit ?? 1);
  const sample = Math.min(codeConstants.shardSample.value, shards);
  const fullReadShare = o.fullReadShare ?? (shards > sample ? 1 / shards : 0);
  return { shards, sample, fullReadShare };
}

/** Every trade's activity item and its two index entries. */
const activityWrite: Touch[] = [
  { item: 'NFT#<nft> / ACTIVITY#<at>', partition: 'table NFT#<nft>', wcu: tx, items: 'unique', partitions: 'unique' },
  { item: null, partition: 'gsi1 ACTIVITY#<collection>', wcu: index, partitions: 1 },
  { item: null, partition: 'gsi2 ACTIVITY', wcu: index, partitions: 1 },
];

/** The paying buyer's account and ledger entry, spread over `people` accounts. */
function payerWrites(people: number): Touch[] {
  return [
    { item: 'USER#<buyer> / ACCOUNT', partition: user('<buyer>'), wcu: tx, items: people, partitions: people },
    { item: 'USER#<buyer> / LEDGER#<at>', partition: user('<buyer>'), wcu: tx, items: 'unique', partitions: people },
  ];
}

function dropOperations(design: 'old' | 'new', o: WriteModelOptions, rate: number, stream?: ReturnType<typeof streamRates>): Operation[] {
  const buyers = o.users;
  const mint: Touch[] = [
    { item: 'NFT#<nft> / NFT', partition: 'table NFT#<nft>', wcu: tx, items: 'unique', partitions: 'unique' },
    { item: null, partition: 'gsi1 OWNER#<buyer>', wcu: index, partitions: buyers },
    ...activityWrite,
  ];
  const buyerPays = payerWrites(buyers);
  if (design === 'old') {
    const fees = oldDesign.platformAccounts;
    return [{
      name: 'purchase (old: 13 items)', perSecond: rate, touches: [
        { item: 'PRESALE#<presale> / PRESALE', partition: 'table PRESALE#<presale>', wcu: tx, rcu: consistentRead, items: 1, partitions: 1 },
        { item: null, partition: 'gsi1 PRESALES', wcu: index, partitions: 1 },
        { item: null, partition: 'gsi2 PRESALES', wcu: index, partitions: 1 },
        { item: 'PRESALE#<presale> / WALLET#<buyer>', partition: 'table PRESALE#<presale>', wcu: tx, rcu: consistentRead, items: buyers, partitions: 1 },
        { item: 'PRESALE#<presale> / PURCHASE#<id>', partition: 'table PRESALE#<presale>', wcu: tx, items: 'unique', partitions: 1 },
        ...buyerPays,
        { item: 'USER#<creator> / ACCOUNT', partition: user('<creator>'), wcu: tx, items: 1, partitions: 1 },
        { item: 'USER#<creator> / LEDGER#<at>', partition: user('<creator>'), wcu: tx, items: 'unique', partitions: 1 },
        { item: 'USER#~platform-<k> / ACCOUNT', partition: user('~platform-<k>'), wcu: tx, items: fees, partitions: fees },
        { item: 'USER#~platform-<k> / LEDGER#<at>', partition: user('~platform-<k>'), wcu: tx, items: 'unique', partitions: fees },
        { item: 'COLLECTION#<collection> / HOLDER#<buyer>', partition: 'table COLLECTION#<collection>', wcu: tx, rcu: consistentRead, items: buyers, partitions: 1 },
        // A drop's buyers are new holders: every purchase adds an owner to the collection item.
        { item: 'COLLECTION#<collection> / COLLECTION', partition: 'table COLLECTION#<collection>', wcu: tx, rcu: consistentRead, items: 1, partitions: 1 },
        { item: null, partition: 'gsi1 COLLECTIONS', wcu: index, partitions: 1 },
        ...mint,
      ],
    }];
  }
  const { shards, sample, fullReadShare } = dropShards(o);
  // The presale (GetItem), then one consistent BatchGetItem: the sampled shards, the buyer's wallet, the collection.
  const presaleRead = (shardsRead: number): Touch[] => [
    { item: 'PRESALE#<presale> / PRESALE', partition: 'table PRESALE#<presale>', rcu: consistentRead, items: 1, partitions: 1 },
    { item: 'PRESALE_SHARD#<presale>#<k> / SHARD', partition: 'table PRESALE_SHARD#<presale>#<k>', rcu: shardsRead * consistentRead, items: shards, partitions: shards },
    { item: 'USER#<buyer> / PRESALE_WALLET#<presale>', partition: user('<buyer>'), rcu: consistentRead, items: buyers, partitions: buyers },
    { item: 'COLLECTION#<collection> / COLLECTION', partition: 'table COLLECTION#<collection>', rcu: consistentRead, items: 1, partitions: 1 },
  ];
  return [
    {
      name: 'purchase (new: 7 + 2q = 9 items)', perSecond: rate, touches: [
        // With an Idempotency-Key (the load test's buyers send one) the purchase record is looked up first.
        { item: 'USER#<buyer> / PURCHASE#<id>', partition: user('<buyer>'), wcu: tx, rcu: consistentRead, items: 'unique', partitions: buyers },
        ...presaleRead(sample),
        // One shard taken (several only for the last units).
        { item: 'PRESALE_SHARD#<presale>#<k> / SHARD', partition: 'table PRESALE_SHARD#<presale>#<k>', wcu: tx, items: shards, partitions: shards },
        { item: 'USER#<buyer> / PRESALE_WALLET#<presale>', partition: user('<buyer>'), wcu: tx, items: buyers, partitions: buyers },
        ...buyerPays,
        { item: 'USER#<creator> / CREDIT#<id>', partition: user('<creator>'), wcu: tx, items: 'unique', partitions: 1 },
        { item: 'USER#~platform-<k> / CREDIT#<id>', partition: user('~platform-<k>'), wcu: tx, items: 'unique', partitions: platformAccountShards },
        ...mint,
      ],
    },
    ...(fullReadShare > 0 ? [{
      name: `purchase: every shard read again (${percent(fullReadShare)} of purchases)`, perSecond: rate * fullReadShare, touches: presaleRead(shards),
    }] : []),
    ...consumerOperations(stream!, { activities: rate, holdersPerActivity: 1, holders: buyers, presale: true, floor: false }),
  ];
}

function sweepOperations(design: 'old' | 'new', o: WriteModelOptions, rate: number, stream?: ReturnType<typeof streamRates>): Operation[] {
  const people = o.users;
  const listingGone: Touch[] = [
    { item: 'LISTING#<listing> / LISTING', partition: 'table LISTING#<listing>', wcu: tx, rcu: consistentRead, items: 'unique', partitions: 'unique' },
    // A sold listing leaves its four sparse indexes: one index write each.
    { item: null, partition: 'gsi1 LISTINGS', wcu: index, partitions: 1 },
    { item: null, partition: 'gsi2 LISTINGS', wcu: index, partitions: 1 },
    { item: null, partition: 'gsi3 LISTINGS#<collection>', wcu: index, partitions: 1 },
    { item: null, partition: 'gsi4 LISTINGS#<collection>', wcu: index, partitions: 1 },
    { item: 'NFT#<nft> / NFT', partition: 'table NFT#<nft>', wcu: tx, rcu: consistentRead, items: 'unique', partitions: 'unique' },
    // The owner index key moves from the seller to the buyer: a delete and a put.
    { item: null, partition: 'gsi1 OWNER#<seller or buyer>', wcu: 2 * index, partitions: people },
    { item: 'FLOOR#<collection> / <price>#<listing>', partition: 'table FLOOR#<collection>', wcu: tx, items: 'unique', partitions: 1 },
    ...activityWrite,
    ...payerWrites(people),
  ];
  if (design === 'old') {
    const fees = oldDesign.platformAccounts;
    return [{
      name: 'buy (old: 15 items)', perSecond: rate, touches: [
        ...listingGone,
        { item: 'USER#<seller> / ACCOUNT', partition: user('<seller>'), wcu: tx, items: people, partitions: people },
        { item: 'USER#<seller> / LEDGER#<at>', partition: user('<seller>'), wcu: tx, items: 'unique', partitions: people },
        { item: 'USER#<creator> / ACCOUNT', partition: user('<creator>'), wcu: tx, items: 1, partitions: 1 },
        { item: 'USER#<creator> / LEDGER#<at>', partition: user('<creator>'), wcu: tx, items: 'unique', partitions: 1 },
        { item: 'USER#~platform-<k> / ACCOUNT', partition: user('~platform-<k>'), wcu: tx, items: fees, partitions: fees },
        { item: 'USER#~platform-<k> / LEDGER#<at>', partition: user('~platform-<k>'), wcu: tx, items: 'unique', partitions: fees },
        // Seller -1, buyer +1, read first, and the collection item (version-conditioned) in every sale.
        {
          item: 'COLLECTION#<collection> / HOLDER#<user>', partition: 'table COLLECTION#<collection>',
          wcu: 2 * tx, rcu: 2 * consistentRead, items: people, partitions: 1, writes: 2,
        },
        { item: 'COLLECTION#<collection> / COLLECTION', partition: 'table COLLECTION#<collection>', wcu: tx, rcu: consistentRead, items: 1, partitions: 1 },
        { item: null, partition: 'gsi1 COLLECTIONS', wcu: index, partitions: 1 },
      ],
    }];
  }
  return [
    {
      name: 'buy (new: 9 items)', perSecond: rate, touches: [
        ...listingGone,
        { item: 'COLLECTION#<collection> / COLLECTION', partition: 'table COLLECTION#<collection>', rcu: consistentRead, items: 1, partitions: 1 },
        { item: 'USER#<seller> / CREDIT#<id>', partition: user('<seller>'), wcu: tx, items: 'unique', partitions: people },
        { item: 'USER#<creator> / CREDIT#<id>', partition: user('<creator>'), wcu: tx, items: 'unique', partitions: 1 },
        { item: 'USER#~platform-<k> / CREDIT#<id>', partition: user('~platform-<k>'), wcu: tx, items: 'unique', partitions: platformAccountShards },
      ],
    },
    ...consumerOperations(stream!, { activities: rate, holdersPerActivity: 2, holders: people, presale: false, floor: true }),
  ];
}

/** What the stream consumer writes for a workload's activities and credits (aggregate-market.ts, pending-credits.ts). */
function consumerOperations(
  stream: ReturnType<typeof streamRates>,
  load: { activities: number; holdersPerActivity: number; holders: number; presale: boolean; floor: boolean },
): Operation[] {
  const kind = load.presale ? 'mint' : 'sale';
  const payeeOperations = stream.payees.flatMap((p): Operation[] => {
    const ledger = ledgerEntryBytes(p.creditsPerTransaction, kind);
    // The transaction first reads the account and what is pending (one consistent Query, ≤ 99 items).
    const queried = accountBytes + Math.min(p.creditsPerTransaction, codeConstants.creditsPerTransaction.value) * creditBytes(kind);
    return [
      {
        name: `stream: ${p.label} credits deleted`, perSecond: p.perSecond, touches: [
          { item: `USER#${p.payee} / CREDIT#<id>`, partition: user(p.payee), wcu: tx * kb(creditBytes(kind)), items: 'unique', partitions: p.keys },
        ],
      },
      {
        name: `stream: ${p.label} account transactions`, perSecond: p.transactionsPerKey * p.keys, touches: [
          { item: null, partition: user(p.payee), rcu: Math.ceil(queried / 4096), partitions: p.keys },
          { item: `USER#${p.payee} / ACCOUNT`, partition: user(p.payee), wcu: tx, items: p.keys, partitions: p.keys },
          // One ledger entry naming every credit applied (over 1 KB from ~13 credits on).
          { item: `USER#${p.payee} / LEDGER#<at>`, partition: user(p.payee), wcu: tx * kb(ledger), items: 'unique', partitions: p.keys },
        ],
      },
    ];
  });
  return [
    {
      name: 'stream: collection transaction', perSecond: stream.collectionTransactions, touches: [
        { item: 'COLLECTION#<collection> / COLLECTION', partition: 'table COLLECTION#<collection>', wcu: tx, items: 1, partitions: 1 },
        { item: null, partition: 'gsi1 COLLECTIONS', wcu: index, partitions: 1 },
        // The holder distribution moves with the holder counts; sales add to their hour's and day's history bucket.
        { item: 'COLLECTION#<collection> / HOLDER_DISTRIBUTION', partition: 'table COLLECTION#<collection>', wcu: tx, items: 1, partitions: 1 },
        { item: null, partition: 'gsi2 HOLDERS#<collection>', wcu: index, partitions: 1 },
        ...(load.presale ? [] : [
          { item: 'HISTORY#<collection>#1h / <hour>', partition: 'table HISTORY#<collection>#1h', wcu: tx, items: 1, partitions: 1 },
          { item: 'HISTORY#<collection>#1d / <day>', partition: 'table HISTORY#<collection>#1d', wcu: tx, items: 1, partitions: 1 },
        ]),
        ...(load.presale ? [
          { item: 'PRESALE#<presale> / PRESALE', partition: 'table PRESALE#<presale>', wcu: tx, items: 1, partitions: 1 },
          { item: null, partition: 'gsi1 PRESALES', wcu: index, partitions: 1 },
          { item: null, partition: 'gsi2 PRESALES', wcu: index, partitions: 1 },
        ] : []),
      ],
    },
    {
      name: 'stream: per activity (marker, holders)', perSecond: load.activities, touches: [
        { item: 'AGGREGATED#<activity> / AGGREGATED', partition: 'table AGGREGATED#<activity>', wcu: tx, rcu: consistentRead, items: 'unique', partitions: 'unique' },
        {
          item: 'COLLECTION#<collection> / HOLDER#<user>', partition: 'table COLLECTION#<collection>',
          wcu: load.holdersPerActivity * tx, rcu: load.holdersPerActivity * consistentRead, items: load.holders, partitions: 1, writes: load.holdersPerActivity,
        },
        // Each holder item moves in the holder index (gsi2, by count).
        { item: null, partition: 'gsi2 HOLDERS#<collection>', wcu: load.holdersPerActivity * index, partitions: 1 },
      ],
    },
    ...(load.presale ? [] : [{
      // Sales counted: per batch, the last 48 hourly and 60 daily buckets read (consistent, ~7 and ~9 KB) and the
      // collection's stats windows set (a standard write).
      name: 'stream: stats windows', perSecond: stream.collectionBatches, touches: [
        { item: null, partition: 'table HISTORY#<collection>#1h', rcu: 2 * consistentRead, partitions: 1 },
        { item: null, partition: 'table HISTORY#<collection>#1d', rcu: 3 * consistentRead, partitions: 1 },
        { item: 'COLLECTION#<collection> / COLLECTION', partition: 'table COLLECTION#<collection>', wcu: 1, items: 1, partitions: 1 },
        { item: null, partition: 'gsi1 COLLECTIONS', wcu: index, partitions: 1 },
      ],
    }]),
    ...(load.floor ? [{
      // Listings changed: per batch, the cheapest price entry read again and the collection's floor set (a standard write).
      name: 'stream: floor refresh', perSecond: stream.collectionBatches, touches: [
        { item: 'FLOOR#<collection> / <cheapest>', partition: 'table FLOOR#<collection>', rcu: consistentRead, items: 1, partitions: 1 },
        { item: 'COLLECTION#<collection> / COLLECTION', partition: 'table COLLECTION#<collection>', wcu: 1, items: 1, partitions: 1 },
        { item: null, partition: 'gsi1 COLLECTIONS', wcu: index, partitions: 1 },
        // ... and recorded in the current hour's and day's history bucket.
        { item: 'HISTORY#<collection>#1h / <hour>', partition: 'table HISTORY#<collection>#1h', wcu: 1, items: 1, partitions: 1 },
        { item: 'HISTORY#<collection>#1d / <day>', partition: 'table HISTORY#<collection>#1d', wcu: 1, items: 1, partitions: 1 },
      ],
    }] : []),
    ...payeeOperations,
  ];
}

// ---- rates per item and per partition key -----------------------------------------------------------------------

export function heat(operations: Operation[]): { items: Heat[]; partitions: Heat[]; table: { wcu: number; rcu: number } } {
  const items = new Map<string, Heat>();
  const partitions = new Map<string, Heat>();
  const table = { wcu: 0, rcu: 0 };
  const add = (map: Map<string, Heat>, name: string, wcu: number, rcu: number, op: Operation) => {
    const entry = map.get(name) ?? { name, wcu: 0, rcu: 0, tradeWcu: 0, from: [] };
    entry.wcu += wcu;
    entry.rcu += rcu;
    if (!isConsumer(op)) entry.tradeWcu += wcu;
    if (!entry.from.includes(op.name)) entry.from.push(op.name);
    map.set(name, entry);
  };
  // A unique item or key takes one operation's units; otherwise the rate's units spread evenly.
  const share = (units: number, rate: number, spread: Spread) => (spread === 'unique' ? units * Math.min(rate, 1) : (units * rate) / spread);
  for (const op of operations) {
    for (const t of op.touches) {
      const wcu = t.wcu ?? 0;
      const rcu = t.rcu ?? 0;
      table.wcu += wcu * op.perSecond;
      table.rcu += rcu * op.perSecond;
      if (t.item) add(items, t.item, share(wcu, op.perSecond, t.items ?? t.partitions), share(rcu, op.perSecond, t.items ?? t.partitions), op);
      add(partitions, t.partition, share(wcu, op.perSecond, t.partitions), share(rcu, op.perSecond, t.partitions), op);
    }
  }
  const hottest = (a: Heat, b: Heat) => Math.max(b.wcu / partitionLimits.wcu, b.rcu / partitionLimits.rcu) - Math.max(a.wcu / partitionLimits.wcu, a.rcu / partitionLimits.rcu);
  return { items: [...items.values()].sort(hottest), partitions: [...partitions.values()].sort(hottest), table };
}

function design(name: 'old' | 'new', operations: Operation[]): DesignResult {
  const itemsWritten = (op: Operation) => op.touches.filter((t) => t.item && (t.wcu ?? 0) > 0).reduce((sum, t) => sum + (t.writes ?? 1), 0);
  return { design: name, operations: operations.map((op) => ({ name: op.name, perSecond: op.perSecond, itemsWritten: itemsWritten(op) })), ...heat(operations) };
}

export function writeModel(o: WriteModelOptions): WorkloadResult[] {
  const offeredDrop = o.users / o.dropSeconds;
  const purchases = Math.min(offeredDrop, o.userWriteRate);
  const sold = Math.min(o.dropSupply, o.users);
  const offeredSweep = o.users / o.sweepSecondsPerBuy;
  const buys = Math.min(offeredSweep, o.userWriteRate);
  const creator = (perSecond: number): PayeeLoad => ({ label: 'creator', payee: '<creator>', keys: 1, perSecond, ownLane: true });
  const fees = (perSecond: number): PayeeLoad => ({ label: 'fee accounts', payee: '~platform-<k>', keys: platformAccountShards, perSecond, ownLane: false });
  const dropStream = streamRates(o, { activities: purchases, kind: 'mint', payees: [creator(purchases), fees(purchases)] });
  const sweepStream = streamRates(o, {
    activities: buys, kind: 'sale',
    payees: [creator(buys), fees(buys), { label: 'sellers', payee: '<seller>', keys: o.users, perSecond: buys, ownLane: false }],
  });
  const { shards, sample, fullReadShare } = dropShards(o);
  const perWallet = o.perWalletLimit ?? 1;
  const soldOutRcu = 1 + 1 + sample + 2 + (shards > sample ? 1 + shards + 2 : 0);
  const perShard = purchases / shards;
  const shardInFlight = (perShard * transactionHoldMs) / 1000;
  const dropAssumptions = [
    `presale shards: presaleShardCount(${fmt(o.dropSupply)}, ${perWallet}) = ${shards} (clamp(floor(supply / (2 x per-wallet limit)), 1, ${maxPresaleShards}))` +
      `, ${fmt(o.dropSupply / shards)} units each; a purchase reads ${sample} at random (shardSample)`,
    shards > sample
      ? `purchases whose ${sample} sampled shards are all empty read all ${shards} again: assumed ${percent(fullReadShare)} of purchases ` +
        `(${o.fullReadShare === undefined ? 'the last shard\'s worth of supply; a one-at-a-time simulation of pickShards finds ~0.4 % for 10,000 over 50 shards: ' +
          'the default is the cautious side' : '--drop-full-read-share'}); lost races re-read and are not counted`
      : `${shards} shards, no more than the sample: every purchase reads all of them once`,
    `a shard takes ${fmt(perShard)} purchases/s; at ~${transactionHoldMs} ms a transaction that is ${fmt(shardInFlight)} in flight, so about ` +
      `${percent(1 - Math.exp(-shardInFlight))} of purchase attempts meet one on their shard, are cancelled and read again (not counted in the units)`,
    ...(o.dropSupply < o.users ? [`after the ${fmt(sold)} units are gone each further try still reads ${soldOutRcu} items consistently ` +
      `(idempotency record, presale, sample, wallet, collection${shards > sample ? ', then all of it again with every shard' : ''}) before answering ` +
      `SOLD_OUT: ${fmt(soldOutRcu * purchases)} RRU/s at ${fmt(purchases)} tries/s`] : []),
    `item sizes from functions/data/items.ts: a credit ${creditBytes('mint')} bytes, the ledger entry of an account transaction ` +
      `naming N credits ${ledgerEntryFormula('mint').fixed} + ${ledgerEntryFormula('mint').perCredit} x N bytes (2 WCU per KB in the transaction)`,
  ];
  return [
    {
      name: 'drop', ratePerSecond: purchases,
      description: `${fmt(o.users)} users each try once in the first ${o.dropSeconds} s (${fmt(offeredDrop)}/s offered), supply ${fmt(o.dropSupply)}, ` +
        `capped by the user-write throttle (${fmt(o.userWriteRate)}/s): ${fmt(purchases)} purchases/s for ${fmt(sold / purchases)} s`,
      designs: [design('old', dropOperations('old', o, purchases)), design('new', dropOperations('new', o, purchases, dropStream))],
      consumer: dropStream.notes,
      assumptions: dropAssumptions,
    },
    {
      name: 'sweep', ratePerSecond: buys,
      description: `${fmt(o.users)} users buy the cheapest listings of one collection, one every ${o.sweepSecondsPerBuy} s each ` +
        `(${fmt(offeredSweep)}/s offered), capped by the user-write throttle: ${fmt(buys)} sales/s, every one a sale with a royalty (the worst case)`,
      designs: [design('old', sweepOperations('old', o, buys)), design('new', sweepOperations('new', o, buys, sweepStream))],
      consumer: sweepStream.notes,
      assumptions: [
        `every sale by a distinct buyer and seller (${activitiesPerTransaction('sale')} per aggregator transaction); relists not counted; ` +
          `a ledger entry naming N sale credits ${ledgerEntryFormula('sale').fixed} + ${ledgerEntryFormula('sale').perCredit} x N bytes`,
      ],
    },
  ];
}

// ---- output -----------------------------------------------------------------------------------------------------

function fmt(n: number): string {
  return n >= 100 || Number.isInteger(n) ? Math.round(n).toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function percent(share: number): string {
  const p = 100 * share;
  return `${p >= 10 || Number.isInteger(p) ? p.toFixed(0) : p.toFixed(1)} %`;
}

const percentOf = (value: number, limit: number) => `${fmt(value)} (${((100 * value) / limit).toFixed(0)}%)`;

function hottest(list: Heat[], unit: 'wcu' | 'rcu'): Heat | undefined {
  return [...list].sort((a, b) => b[unit] - a[unit])[0];
}

/**
 * What split for heat can do for a hot partition key, by how its writes fall in the key's sort key range.
 * Keyed by the partition templates above.
 */
export const sortKeyNotes: Record<string, string> = {
  'table USER#<creator>': 'CREDIT#<uuid> puts and deletes (4 WCU a credit) fall anywhere in the sort key range, so split for heat can ' +
    'spread them, but only after minutes of sustained heat: not within a 10 s drop; the LEDGER#<at> entries always land at the newest end',
  'table COLLECTION#<collection>': 'HOLDER#<user> items are spread over the range (split for heat can spread them, after minutes); ' +
    'the COLLECTION item itself stays one item on one partition',
  'gsi1 ACTIVITY#<collection>': 'sorted by time: every entry lands at the newest end, no split helps (needs write sharding)',
  'gsi2 ACTIVITY': 'sorted by time: every entry lands at the newest end, no split helps (needs write sharding)',
  'table FLOOR#<collection>': 'sorted by price: a sweep deletes at the cheapest end, no split helps',
  'gsi2 LISTINGS': 'sorted by price: a sweep removes entries at the cheapest end, no split helps',
  'gsi4 LISTINGS#<collection>': 'sorted by price: a sweep removes entries at the cheapest end, no split helps',
  'gsi1 LISTINGS': 'sorted by listedAt: the sold listings were listed at scattered times (may split); every new listing lands at the newest end',
  'gsi3 LISTINGS#<collection>': 'sorted by listedAt: the sold listings were listed at scattered times (may split); every new listing lands at the newest end',
  'table USER#~platform-<k>': `${platformAccountShards} keys; CREDIT#<uuid> puts and deletes spread (may split), LEDGER#<at> at the newest end`,
  'table PRESALE#<presale>': 'the presale item alone: one item, one partition',
  'table PRESALE_SHARD#<presale>#<k>': 'one item per key',
};

export function formatWriteModel(results: WorkloadResult[]): string {
  const out: string[] = [];
  out.push('', 'WRITE SIDE: HOT ITEMS AND PARTITION KEYS', '='.repeat(64));
  out.push(`Per second, against DynamoDB's ${fmt(partitionLimits.wcu)} WCU/s and ${fmt(partitionLimits.rcu)} RCU/s per partition (and so per item and per`);
  out.push('partition key until split for heat spreads a key over partitions). 2 WCU per KB of item in a transaction, 1 per index entry,');
  out.push('1 RCU per consistent read. Old: every trade writes its collection, the creator\'s account and the presale item. New: unique');
  out.push('credit, activity and price-entry items, folded in by the stream consumer in batches.');
  for (const w of results) {
    out.push('', `--- ${w.name.toUpperCase()}: ${w.description} ---`);
    const rows: string[][] = [];
    const pick = (d: DesignResult, list: 'items' | 'partitions', unit: 'wcu' | 'rcu') => {
      const h = hottest(d[list], unit);
      return h ? `${h.name}: ${percentOf(h[unit], partitionLimits[unit])}` : '-';
    };
    const [old, neu] = w.designs as [DesignResult, DesignResult];
    rows.push(['hottest item, WCU/s', pick(old, 'items', 'wcu'), pick(neu, 'items', 'wcu')]);
    rows.push(['hottest partition key, WCU/s', pick(old, 'partitions', 'wcu'), pick(neu, 'partitions', 'wcu')]);
    rows.push(['hottest item, RCU/s', pick(old, 'items', 'rcu'), pick(neu, 'items', 'rcu')]);
    rows.push(['hottest partition key, RCU/s', pick(old, 'partitions', 'rcu'), pick(neu, 'partitions', 'rcu')]);
    rows.push(['table, WRU/s and RRU/s', `${fmt(old.table.wcu)} / ${fmt(old.table.rcu)}`, `${fmt(neu.table.wcu)} / ${fmt(neu.table.rcu)}`]);
    out.push(twoColumns(['', 'old design', 'new design'], rows));
    const oldItem = hottest(old.items, 'wcu')!;
    const trade = w.name === 'drop' ? 'purchase' : 'sale';
    out.push(`Old design: ${oldItem.name} is in every ${trade}'s transaction, so they run one at a time: ` +
      `at most ~${fmt(1000 / transactionHoldMs)}/s (a transaction holds its items ~${transactionHoldMs} ms), ` +
      `and ${fmt((w.ratePerSecond * partitionLimits.wcu) / oldItem.wcu)}/s by the item's 1,000 WCU/s, against ${fmt(w.ratePerSecond)}/s asked.`);
    // The trades' ceiling: the key the trades write into that lets the fewest through (it throttles what writes it).
    const binding = neu.partitions.filter((h) => h.tradeWcu > 0).sort((a, b) => b.wcu - a.wcu)[0];
    if (binding && binding.wcu > partitionLimits.wcu) {
      const passes = (w.ratePerSecond * partitionLimits.wcu) / binding.wcu;
      const alone = Math.min(w.ratePerSecond, (w.ratePerSecond * partitionLimits.wcu) / binding.tradeWcu);
      out.push(`New design: until split for heat, ${binding.name} (${fmt(binding.wcu)} WCU/s asked, ${fmt(binding.tradeWcu)} of it by the ${trade}s ` +
        `themselves) passes about ${fmt(passes)} ${trade}s/s of the ${fmt(w.ratePerSecond)}/s asked while the stream consumer keeps up, ` +
        `${fmt(alone)}/s while the consumer's writes there wait; the rest throttle.`);
    }
    out.push(`Table: ${fmt(neu.table.wcu)} WRU/s and ${fmt(neu.table.rcu)} RRU/s (new) against on-demand's ${fmt(tableLimits.wru)} WRU and ` +
      `${fmt(tableLimits.rru)} RRU per table; a new table takes ${fmt(tableLimits.newWru)} WRU / ${fmt(tableLimits.newRru)} RRU at once (pre-warm it: warm throughput).`);
    out.push('', `New design, operations per second: ${neu.operations.map((op) => `${op.name} ${fmt(op.perSecond)}`).join('; ')}`);
    out.push(...w.consumer.map((line) => `Stream consumer: ${line}`));
    out.push(...w.assumptions.map((line) => `Assumed: ${line}`));
    out.push('', 'New design, items above 1 % of a limit (WCU/s, RCU/s):');
    for (const h of neu.items.filter((x) => x.wcu >= 10 || x.rcu >= 30)) out.push(`  ${h.name}: ${percentOf(h.wcu, partitionLimits.wcu)} WCU, ${percentOf(h.rcu, partitionLimits.rcu)} RCU`);
    out.push('New design, partition keys above 10 % of a limit:');
    for (const h of neu.partitions.filter((x) => x.wcu > 100 || x.rcu > 300)) {
      out.push(`  ${h.name}: ${percentOf(h.wcu, partitionLimits.wcu)} WCU, ${percentOf(h.rcu, partitionLimits.rcu)} RCU (${h.from.join(', ')})`);
    }
    const worstItem = hottest(neu.items, 'wcu')!;
    const itemGoal = worstItem.wcu <= 0.1 * partitionLimits.wcu;
    out.push('', `Goal, no item above 10 % of its partition's write limit: ${itemGoal ? 'MET' : 'NOT MET'} ` +
      `(hottest item ${worstItem.name} at ${((100 * worstItem.wcu) / partitionLimits.wcu).toFixed(1)} %).`);
    const hotKeys = neu.partitions.filter((x) => x.wcu > 0.1 * partitionLimits.wcu);
    if (hotKeys.length) {
      out.push(`Partition KEYS still above 10 % of the write limit: ${hotKeys.length} (${hotKeys.filter((x) => x.wcu > partitionLimits.wcu).length} above 100 %), ` +
        'what split for heat can do for each:');
      for (const h of hotKeys) {
        const who = h.tradeWcu >= h.wcu ? `all by the ${trade}s` : h.tradeWcu > 0
          ? `${fmt(h.tradeWcu)} by the ${trade}s, ${fmt(h.wcu - h.tradeWcu)} by the stream consumer`
          : `all by the stream consumer: throttled, it retries and the stream lags, the ${trade}s go on`;
        const reads = h.rcu >= 0.5 * partitionLimits.rcu ? `; reads ${percentOf(h.rcu, partitionLimits.rcu)} of ${fmt(partitionLimits.rcu)} RCU/s` : '';
        out.push(`  ${h.name} ${percentOf(h.wcu, partitionLimits.wcu)} (${who}${reads}): ${sortKeyNotes[h.name] ?? 'see below'}`);
      }
    }
  }
  out.push('', ...splitForHeat);
  return out.join('\n');
}

const splitForHeat = [
  'SPLIT FOR HEAT: what it does and does not do about a hot partition key',
  '- A partition serves at most 1,000 WCU/s and 3,000 RCU/s whatever the table\'s capacity; adaptive capacity only moves',
  '  the table\'s throughput to a hot partition within that cap, and may isolate a hot item in a partition of its own,',
  '  still capped (an item can never take more than 1,000 WCU/s).',
  '- Split for heat divides a hot partition in two, by sort key range, so one partition key\'s items can end up on several',
  '  partitions. It needs sustained heat (minutes, not the 10 s of a drop: the first minutes throttle) and it helps only',
  '  when the writes spread over the key\'s sort key range: random sort keys (CREDIT#<uuid>, HOLDER#<user>) split well.',
  '  It cannot help when every write lands at one end of the range: time-ordered sort keys (the ACTIVITY and',
  '  ACTIVITY#<collection> indexes sort by time, LISTINGS by listedAt, LEDGER#<at>) send every new write to the last',
  '  partition however often it splits, and a sweep deleting the cheapest FLOOR#<collection> entries works one end too.',
  '  Index partitions behave the same, and a throttled index throttles the table writes that feed it.',
  '- So a key taking more than 1,000 WCU/s with time-ordered sort keys needs write sharding (e.g. ACTIVITY#<k> for k in',
  '  0..N-1, read with N queries and merged) or must be left out of the hot path; and a key that must take a drop\'s',
  '  10 s burst (USER#<creator>) needs its writes spread before the drop, not by a split that comes minutes later.',
  'Sources: AWS Database Blog, "Scaling DynamoDB: How partitions, hot keys, and split for heat impact performance" (parts 1-3);',
  'DynamoDB Developer Guide, "Burst and adaptive capacity" and "Key range throughput exceeded (hot partitions)".',
];

function twoColumns(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
