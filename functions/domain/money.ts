/** Basis points: 10,000 = 100 %. */
export const fullBps = 10_000;

/**
 * Bounds that keep every sum of money exact in a JS number (an integer up to 2^53 - 1 ≈ 9.007e15); the
 * argument, figure by figure, is in docs/data-model.md ("Numbers stay exact"). In short: one price is at
 * most 1e12, one purchase (20 units) 2e13, one batch of 98 credits 1.96e15; a top-up is at most 1e8 and may
 * not take a balance past 1e12; every other increase of a stored balance or held amount is conditioned on
 * staying at or below 2^53 - 1; a collection's all-time volume saturates there.
 */
export const maxTopup = 100_000_000;
/** The most one price, offer, bid, reserve or presale unit price may be. */
export const maxAmount = 1_000_000_000_000;
/** The most a top-up may take a balance to (proceeds and royalties may take it further). */
export const maxBalance = 1_000_000_000_000;

/** `amount * bps / 10000`, rounded down, exact for any safe integer amount (BigInt avoids 2^53 overflow). */
export function bpsOf(amount: number, bps: number): number {
  return Number((BigInt(amount) * BigInt(bps)) / BigInt(fullBps));
}

export interface SaleSplit {
  /** The marketplace's fee. */
  fee: number;
  /** The collection creator's royalty. */
  royalty: number;
  /** What the seller receives: price - fee - royalty. */
  proceeds: number;
}

/** How a sale price is divided. Rounding always favours the seller; the parts add up to the price. */
export function splitSale(price: number, feeBps: number, royaltyBps: number): SaleSplit {
  const fee = bpsOf(price, feeBps);
  const royalty = bpsOf(price, royaltyBps);
  return { fee, royalty, proceeds: price - fee - royalty };
}

/** A change to one account: spendable balance and held funds, in minor units. */
export interface AccountDelta {
  balance: number;
  held: number;
}

/** Who gains and loses what in one trade; a user appears once (a creator who is also the seller, say). */
export type AccountDeltas = Map<string, AccountDelta>;

export function addDelta(deltas: AccountDeltas, userId: string, change: Partial<AccountDelta>): AccountDeltas {
  const current = deltas.get(userId) ?? { balance: 0, held: 0 };
  deltas.set(userId, { balance: current.balance + (change.balance ?? 0), held: current.held + (change.held ?? 0) });
  return deltas;
}

/**
 * The platform's fee accounts: '~' can never appear in a user id, so no user can be one. Fee credits spread
 * over 50 accounts (partitions), so that at 1,000 sales a second none takes more than ~10 % of a
 * partition's 1,000 WCU/s.
 */
export const platformAccountShards = 50;
export const platformAccountId = (shard: number) => `~platform-${shard % platformAccountShards}`;
export const isPlatformAccount = (userId: string) => userId.startsWith('~platform-');
const randomShard = () => Math.floor(Math.random() * platformAccountShards);

/**
 * A sale's money movement: the buyer pays `price` (from balance, or from funds already held by an
 * offer or bid), the seller gets the proceeds, the creator the royalty, the platform the fee.
 */
export function feeDelta(deltas: AccountDeltas, fee: number, shard = randomShard()): AccountDeltas {
  return fee > 0 ? addDelta(deltas, platformAccountId(shard), { balance: fee }) : deltas;
}

export function saleDeltas(sale: {
  price: number; buyer: string; seller: string; creator: string; feeBps: number; royaltyBps: number; paidFrom: 'balance' | 'held';
}): { deltas: AccountDeltas; split: SaleSplit } {
  const split = splitSale(sale.price, sale.feeBps, sale.royaltyBps);
  const deltas: AccountDeltas = new Map();
  addDelta(deltas, sale.buyer, sale.paidFrom === 'balance' ? { balance: -sale.price } : { held: -sale.price });
  addDelta(deltas, sale.seller, { balance: split.proceeds });
  if (split.royalty > 0) addDelta(deltas, sale.creator, { balance: split.royalty });
  feeDelta(deltas, split.fee);
  return { deltas, split };
}
