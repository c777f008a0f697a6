/**
 * A scheduled job that fails on a due item (an auction to settle, an offer to expire) tries it again later:
 * one minute after the first failure, doubling with each further one, at most an hour apart. Meanwhile the
 * item waits behind everything due before then, so a bad item never holds up the good ones.
 */
const jobRetryDelays = { firstMinutes: 1, maxMinutes: 60 };

/** When a job next tries an item it has now failed on `failures` times in a row (1 = the first failure). */
export function jobRetryAt(failures: number, now: Date): string {
  const minutes = Math.min(jobRetryDelays.maxMinutes, jobRetryDelays.firstMinutes * 2 ** Math.max(0, failures - 1));
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}
