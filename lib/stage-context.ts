import { stageConfig, type StageConfig } from './stage-config.js';

/** WAF rate-based rules accept 10 to 2,000,000,000 requests per window. */
const wafLimitRange = { min: 10, max: 2_000_000_000 };

/** Secrets Manager version ids are 32 to 64 characters: letters, digits and hyphens (UUIDs in practice). */
const secretVersionId = /^[A-Za-z0-9-]{32,64}$/;

/**
 * The stage config chosen by `-c stage=staging|prod`, with the overrides a deploy may need:
 * `-c wafRateLimit=N` raises the per-IP WAF limit for a load test run from a few machines;
 * `-c originSecretVersion=<id>` gives CloudFront a rotated origin secret (docs/deploy.md).
 */
export function stageConfigFromContext(context: (key: string) => unknown): StageConfig {
  const config = withOriginSecretVersion(stageConfig(context('stage') as string | undefined), context('originSecretVersion'));
  const raw = context('wafRateLimit');
  if (raw === undefined) return config;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < wafLimitRange.min || limit > wafLimitRange.max) {
    throw new Error(`wafRateLimit must be an integer from ${wafLimitRange.min} to ${wafLimitRange.max}, not "${String(raw)}"`);
  }
  return { ...config, waf: { ...config.waf, rateLimitPer5MinPerIp: limit } };
}

function withOriginSecretVersion(config: StageConfig, raw: unknown): StageConfig {
  if (raw === undefined) return config;
  if (typeof raw !== 'string' || !secretVersionId.test(raw)) {
    throw new Error(`originSecretVersion must be a Secrets Manager version id (32-64 letters, digits, hyphens), not "${String(raw)}"`);
  }
  return { ...config, originSecretVersion: raw };
}
