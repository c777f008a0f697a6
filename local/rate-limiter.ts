import type { ThrottleClass } from '../functions/routes.js';
import type { Throttle } from '../lib/stage-config.js';

export interface RateVerdict {
  allowed: boolean;
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(throttleClass: ThrottleClass): RateVerdict;
}

/**
 * API Gateway's token bucket: `burstLimit` tokens, refilled at `rateLimit` per second; an empty bucket
 * answers 429 at once rather than queueing the request.
 */
export function createRateLimiter(classes: Record<ThrottleClass, Throttle>, now: () => number = () => performance.now()): RateLimiter {
  const buckets = new Map<ThrottleClass, { tokens: number; updatedAt: number }>();
  return {
    take(throttleClass) {
      const { rateLimit, burstLimit } = classes[throttleClass];
      const at = now();
      const bucket = buckets.get(throttleClass) ?? { tokens: burstLimit, updatedAt: at };
      bucket.tokens = Math.min(burstLimit, bucket.tokens + ((at - bucket.updatedAt) / 1000) * rateLimit);
      bucket.updatedAt = at;
      buckets.set(throttleClass, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, retryAfterSeconds: 0 };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rateLimit)) };
    },
  };
}
