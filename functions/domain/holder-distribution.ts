/**
 * How a collection's NFTs are spread over its holders: how many users hold 1, 2-3, 4-10, 11-25, 26-50 or 51+.
 * The stream aggregator knows each holder's count before and after the activities it counts, so it moves
 * holders between buckets in the same transaction: the distribution stays exact without a recount.
 */
export const distributionBuckets = [
  { tokens: '1', min: 1, field: 'holders1' },
  { tokens: '2-3', min: 2, field: 'holders2to3' },
  { tokens: '4-10', min: 4, field: 'holders4to10' },
  { tokens: '11-25', min: 11, field: 'holders11to25' },
  { tokens: '26-50', min: 26, field: 'holders26to50' },
  { tokens: '51+', min: 51, field: 'holders51up' },
] as const;

export type DistributionField = (typeof distributionBuckets)[number]['field'];

/** The bucket of a holder of `count` NFTs; null for none held (no longer a holder). */
export function bucketOf(count: number): DistributionField | null {
  if (count <= 0) return null;
  return [...distributionBuckets].reverse().find((bucket) => count >= bucket.min)!.field;
}

export interface DistributionChange {
  /** Holders gained (+) or lost (-) per bucket; buckets that did not change are left out. */
  holders: Map<DistributionField, number>;
  /** NFTs held in all: the collection's minted supply grows by its mints; a transfer moves one between holders. */
  tokens: number;
}

/** What the holders' new counts do to the distribution. */
export function distributionChange(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): DistributionChange {
  const holders = new Map<DistributionField, number>();
  const move = (field: DistributionField | null, delta: number) => {
    if (field !== null) holders.set(field, (holders.get(field) ?? 0) + delta);
  };
  let tokens = 0;
  for (const [user, next] of after) {
    const seen = before.get(user) ?? 0;
    tokens += next - seen;
    if (bucketOf(seen) === bucketOf(next)) continue;
    move(bucketOf(seen), -1);
    move(bucketOf(next), 1);
  }
  for (const [field, delta] of holders) if (delta === 0) holders.delete(field);
  return { holders, tokens };
}

/** The distribution as answered, every bucket present; from the stored item (absent: nobody holds any). */
export function distributionOf(stored: Record<string, unknown> | undefined): Array<{ tokens: string; holders: number }> {
  return distributionBuckets.map((bucket) => ({ tokens: bucket.tokens, holders: (stored?.[bucket.field] as number | undefined) ?? 0 }));
}

/** A holder's share of the NFTs held, to six decimals. */
export function holderShare(quantity: number, supply: number): number {
  return supply > 0 ? Math.round((quantity / supply) * 1e6) / 1e6 : 0;
}
