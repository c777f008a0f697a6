import type { ThrottleClass } from '../functions/routes.js';

/**
 * One typed configuration per stage. Plain data (no CDK imports) so the local gateway can enforce the
 * same throttles the deployed stage gets.
 */
export type StageName = 'staging' | 'prod';

export interface Throttle {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  burstLimit: number;
}

export interface StageConfig {
  stage: StageName;
  /** API Gateway stage default, and per-route overrides by throttle class. */
  throttle: { default: Throttle; classes: Record<ThrottleClass, Throttle> };
}

export const stageConfigs: Record<StageName, StageConfig> = {
  staging: {
    stage: 'staging',
    throttle: {
      default: { rateLimit: 2_000, burstLimit: 1_000 },
      classes: {
        'public-read': { rateLimit: 2_000, burstLimit: 1_000 },
        'user-read': { rateLimit: 1_000, burstLimit: 500 },
        'user-write': { rateLimit: 200, burstLimit: 100 },
      },
    },
  },
  prod: {
    stage: 'prod',
    throttle: {
      default: { rateLimit: 8_000, burstLimit: 4_000 },
      classes: {
        'public-read': { rateLimit: 6_000, burstLimit: 3_000 },
        'user-read': { rateLimit: 4_000, burstLimit: 2_000 },
        'user-write': { rateLimit: 1_000, burstLimit: 500 },
      },
    },
  },
};

export function stageConfig(stage: string | undefined): StageConfig {
  const name = stage ?? 'staging';
  if (name !== 'staging' && name !== 'prod') throw new Error(`Unknown stage "${name}": use staging or prod`);
  return stageConfigs[name];
}
