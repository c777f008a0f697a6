import { stageConfig, type StageConfig } from './stage-config.js';

/** WAF rate-based rules accept 10 to 2,000,000,000 requests per window. */
const wafLimitRange = { min: 10, max: 2_000_000_000 };

/**
 * The stage config chosen by `-c stage=staging|prod`, with the one override a deploy may need:
 * `-c wafRateLimit=N` raises the per-IP WAF limit for a load test run from a few machines.
 */
export function stageConfigFromContext(context: (key: string) => unknown): StageConfig {
  const config = stageConfig(context('stage') as string | undefined);
  const raw = context('wafRateLimit');
  if (raw === undefined) return config;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < wafLimitRange.min || limit > wafLimitRange.max) {
    throw new Error(`wafRateLimit must be an integer from ${wafLimitRange.min} to ${wafLimitRange.max}, not "${String(raw)}"`);
  }
  return { ...config, waf: { ...config.waf, rateLimitPer5MinPerIp: limit } };
}
