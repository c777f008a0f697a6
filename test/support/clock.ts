// The test's clock, which is the handlers' (the local runtime runs them in the test's process): `Date` as the
// code reads it (`new Date()`, `Date.now()`), moved by the test instead of waited for. A test stops it to make
// "at the same instant" exact (a cache entry's age, an auction's last second), moves it past an end instead of
// sleeping, and lets it run again. Timers (setTimeout, performance.now) keep real time: SDK timeouts, batching
// windows and the stream poller's polling are unaffected, and the clock only ever moves forward. Moved more than 5
// minutes ahead, it makes the AWS SDK see clock skew in DynamoDB's answers, and the SDK then sends a failed call
// again as it was: a test that counts a call's attempts runs before any test moves the clock that far.
const RealDate = Date;
let offsetMs = 0;
let stoppedAt: number | null = null;

const now = () => stoppedAt ?? RealDate.now() + offsetMs;

const TestDate = new Proxy(RealDate, {
  construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
  apply: () => new RealDate(now()).toString(),
  get: (target, key, receiver) => (key === 'now' ? now : Reflect.get(target, key, receiver)),
});
globalThis.Date = TestDate;

export const clock = {
  now,
  /** Stops the clock (at `at`, in the future, or now). */
  stop(at?: number): void {
    const current = now();
    if (at !== undefined && at < current) throw new Error(`the clock only moves forward (${new RealDate(at).toISOString()} is past)`);
    stoppedAt = at ?? current;
  },
  /** Moves the clock forward, stopped or running. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('the clock only moves forward');
    if (stoppedAt !== null) stoppedAt += ms;
    else offsetMs += ms;
  },
  /** Runs the clock again from where it stands. */
  run(): void {
    if (stoppedAt === null) return;
    offsetMs = stoppedAt - RealDate.now();
    stoppedAt = null;
  },
  /** `fn` with the clock stopped; it runs again after, from the instant it stopped at plus what `fn` moved it. */
  async stopped<T>(fn: () => Promise<T>, at?: number): Promise<T> {
    clock.stop(at);
    try {
      return await fn();
    } finally {
      clock.run();
    }
  },
};
