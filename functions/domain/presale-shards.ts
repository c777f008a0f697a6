import { tradingErrors } from './trading-errors.js';

/**
 * A presale's supply is split over shard counters, each in its own partition, so a drop's purchases spread
 * over many items instead of queueing on one. Each shard can only sell what it holds, so the total never
 * exceeds the supply; a purchase that no single shard can fill takes from several, so no unit is stranded.
 */
export const maxPresaleShards = 50;

/**
 * Up to 50 shards, each holding at least two wallets' worth, so one shard usually fills a purchase and
 * a purchase touches one item (a 1,500 drop at one per wallet: 50 shards of 30).
 */
export function presaleShardCount(supply: number, perWalletLimit: number): number {
  return Math.max(1, Math.min(maxPresaleShards, Math.floor(supply / (2 * perWalletLimit))));
}

/** Shard `k` of `count` holds an even part of the supply; the first `supply % count` hold one more. */
export function shardSupply(supply: number, count: number, shard: number): number {
  return Math.floor(supply / count) + (shard < supply % count ? 1 : 0);
}

export interface ShardState {
  shard: number;
  supply: number;
  sold: number;
}

export interface ShardTake {
  shard: number;
  quantity: number;
  /** The shard may have sold at most this many before the take, or the take would oversell it. */
  maxSoldBefore: number;
}

/**
 * Which shards a purchase takes from: one chosen at random among those that can fill it (so concurrent
 * buyers rarely meet), or, when none can alone, as many as it needs. SOLD_OUT when the shards together
 * cannot fill it.
 */
export function pickShards(shards: readonly ShardState[], quantity: number, random: () => number = Math.random): ShardTake[] {
  const left = (s: ShardState) => s.supply - s.sold;
  const whole = shards.filter((s) => left(s) >= quantity);
  if (whole.length > 0) {
    const s = whole[Math.floor(random() * whole.length)]!;
    return [{ shard: s.shard, quantity, maxSoldBefore: s.supply - quantity }];
  }
  const partial = shards.filter((s) => left(s) > 0);
  if (partial.reduce((sum, s) => sum + left(s), 0) < quantity) throw tradingErrors.soldOut();
  const takes: ShardTake[] = [];
  let needed = quantity;
  const start = Math.floor(random() * partial.length);
  for (let i = 0; needed > 0; i++) {
    const s = partial[(start + i) % partial.length]!;
    const take = Math.min(needed, left(s));
    takes.push({ shard: s.shard, quantity: take, maxSoldBefore: s.supply - take });
    needed -= take;
  }
  return takes;
}
