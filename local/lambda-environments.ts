import { createReadCache, environmentCache, type ReadCache } from '../functions/data/read-cache.js';

/** What the gateway knows of the function it invokes (a route, or the $default route's fallback). */
export interface InvokedFunction {
  id: string;
  auth?: 'public' | 'user';
  access: 'read' | 'write';
}

/**
 * The Lambda execution environments of every function, simulated in one process. Lambda hands an invocation
 * to an idle warm environment of its function or starts a new one; an environment serves one invocation at
 * a time and keeps its own module state, the public read cache included. Locally each handler module is loaded
 * once, so the gateway runs every invocation with the read cache of the environment that serves it: users
 * served by different environments do not share cached reads, as in AWS.
 */
export interface LambdaEnvironments {
  run<T>(fn: InvokedFunction, invoke: () => Promise<T>): Promise<T>;
  /** The public read cache's time to live in each new environment (0: off). */
  readonly publicReadCacheMs: number;
  /** Every environment retired (as by a deploy); the new ones cache for `publicReadCacheMs` (0: off). */
  reset(publicReadCacheMs: number): void;
  /** Environments started since the last reset, per function that caches. */
  started(): Record<string, number>;
}

/** The stack gives PUBLIC_READ_CACHE_MS to public read functions only (lib/marketplace-api.ts). */
const cachesPublicReads = (fn: InvokedFunction) => fn.auth === 'public' && fn.access === 'read';

export function createLambdaEnvironments(options: { publicReadCacheMs: number }): LambdaEnvironments {
  let ttlMs = options.publicReadCacheMs;
  let idle = new Map<string, ReadCache[]>();
  let started = new Map<string, number>();
  return {
    get publicReadCacheMs() { return ttlMs; },
    async run(fn, invoke) {
      // The handlers' own cache is off (local/runtime.ts): without an environment's, nothing is cached. Only
      // cached invocations enter an AsyncLocalStorage context (which slows every promise in the process a little).
      if (!cachesPublicReads(fn) || !(ttlMs > 0)) return invoke();
      const pool = idle.get(fn.id) ?? [];
      idle.set(fn.id, pool);
      let environment = pool.pop();
      if (!environment) {
        environment = createReadCache(ttlMs);
        started.set(fn.id, (started.get(fn.id) ?? 0) + 1);
      }
      const generation = idle;
      try {
        return await environmentCache.run(environment, invoke);
      } finally {
        // An environment retired by reset() while it served is not reused.
        if (idle === generation) pool.push(environment);
      }
    },
    reset(publicReadCacheMs) {
      ttlMs = publicReadCacheMs;
      idle = new Map();
      started = new Map();
    },
    started: () => Object.fromEntries(started),
  };
}
