/** The order book's depth: how many orders rest at each price, best price first, and how many up to it. */
export interface DepthLevel {
  price: number;
  /** Orders at exactly this price. */
  count: number;
  /** Orders at this price or better (cumulative from the best level): what a depth chart plots. */
  total: number;
}

/**
 * Groups prices read best first (listings cheapest first, offers highest first) into levels, at most
 * `maxLevels`; `cut` says levels past the last were left out.
 */
export function depthLevels(bestFirst: readonly number[], maxLevels: number): { levels: DepthLevel[]; cut: boolean } {
  const levels: DepthLevel[] = [];
  let total = 0;
  for (const price of bestFirst) {
    const last = levels[levels.length - 1];
    if (last?.price === price) {
      last.count += 1;
      last.total = ++total;
      continue;
    }
    if (levels.length === maxLevels) return { levels, cut: true };
    levels.push({ price, count: 1, total: ++total });
  }
  return { levels, cut: false };
}
