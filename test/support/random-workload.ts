/** mulberry32: a tiny deterministic PRNG, so a randomized run can be replayed from its seed. */
export function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `count` operations from `workers` clients at once, each chosen at random by weight, given what `argument`
 * yields for it (a user, or nothing). Returns how many were started.
 */
export async function runWeighted<A>(
  operations: ReadonlyArray<readonly [number, (argument: A) => Promise<void>]>, count: number, workers: number, random: () => number, argument: () => A,
): Promise<number> {
  const totalWeight = operations.reduce((s, [w]) => s + w, 0);
  const choose = () => {
    let roll = random() * totalWeight;
    for (const [weight, run] of operations) if ((roll -= weight) < 0) return run;
    return operations[0]![1];
  };
  let started = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (started < count) {
      started += 1;
      await choose()(argument());
    }
  }));
  return started;
}
