import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, ServiceUnavailableError } from '../domain/errors.js';
import { logger } from '../observability/logger.js';
import { originVerifyHeader } from './origin-header.js';

/*
 * Only CloudFront reaches the API. CloudFront adds `x-origin-verify`, with the origin secret as its value, to every
 * request it sends the API; every handler refuses a request without it, first thing, before reading the body or the
 * database (functions/http/http-handler.ts, the $default handler). Anyone calling the execute-api endpoint directly
 * gets 403 (docs/deploy.md, "Only CloudFront reaches the API").
 */

/** How long a Lambda environment keeps the secret's values before reading them again (ORIGIN_SECRET_CACHE_SECONDS). */
const defaultCacheSeconds = 300;
/** After a failed read, the values already held are used this much longer before the next try. */
const retryAfterFailureMs = 10_000;

export interface OriginCheckSettings {
  env: NodeJS.ProcessEnv;
  now: () => number;
  fetch: typeof fetch;
}

/**
 * Where the expected values come from:
 * - deployed: ORIGIN_SECRET_ARN, the Secrets Manager secret, read through the AWS Parameters and Secrets Lambda
 *   Extension (a layer the stack adds; it signs the call with the function's role). Both its AWSCURRENT and its
 *   AWSPREVIOUS version are accepted, so rotating the secret (the new value becomes current, the old one previous)
 *   never refuses what CloudFront still sends while its new configuration spreads;
 * - local: ORIGIN_SECRET, comma-separated values, as the local gateway's tests set it;
 * - neither: no check (`npm start`, where the gateway stands in for API Gateway without CloudFront).
 */
export function createOriginCheck(settings: OriginCheckSettings = { env: process.env, now: Date.now, fetch: globalThis.fetch }) {
  const { env } = settings;
  let held: { values: string[]; until: number } | null = null;

  async function secretVersion(secretArn: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | null> {
    const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
    const response = await settings.fetch(
      `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretArn)}&versionStage=${stage}`,
      { headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' }, signal: AbortSignal.timeout(2_000) },
    );
    // Before the first rotation there is no AWSPREVIOUS version: Secrets Manager answers 400 (ResourceNotFound).
    if (stage === 'AWSPREVIOUS' && response.status >= 400 && response.status < 500) return null;
    if (!response.ok) throw new Error(`the secrets extension answered ${response.status} for ${stage}`);
    const { SecretString } = (await response.json()) as { SecretString?: unknown };
    return typeof SecretString === 'string' && SecretString.length > 0 ? SecretString : null;
  }

  async function fromSecret(secretArn: string): Promise<string[]> {
    const now = settings.now();
    if (held && now < held.until) return held.values;
    try {
      const versions = await Promise.all([secretVersion(secretArn, 'AWSCURRENT'), secretVersion(secretArn, 'AWSPREVIOUS')]);
      const values = versions.filter((value): value is string => value !== null);
      if (values.length === 0) throw new Error('the origin secret has no value');
      const cacheSeconds = Number(env.ORIGIN_SECRET_CACHE_SECONDS ?? defaultCacheSeconds);
      held = { values, until: now + 1000 * (Number.isFinite(cacheSeconds) && cacheSeconds >= 0 ? cacheSeconds : defaultCacheSeconds) };
      return values;
    } catch (error) {
      if (!held) {
        logger.error('cannot read the origin secret', error as Error);
        throw new ServiceUnavailableError('ORIGIN_CHECK_UNAVAILABLE');
      }
      logger.warn('cannot read the origin secret again; keeping the values read before', { error: String(error) });
      held = { values: held.values, until: now + retryAfterFailureMs };
      return held.values;
    }
  }

  /** The values CloudFront may be sending, or null when no check is configured. */
  async function expected(): Promise<string[] | null> {
    if (env.ORIGIN_SECRET_ARN) return fromSecret(env.ORIGIN_SECRET_ARN);
    if (env.ORIGIN_SECRET) return env.ORIGIN_SECRET.split(',').map((value) => value.trim()).filter(Boolean);
    return null;
  }

  return {
    /** Resolves when the request came through CloudFront (or no check is configured); else throws a 403 (or 503). */
    async verify(headers: Record<string, string | undefined> | undefined): Promise<void> {
      const values = await expected();
      if (values === null) return;
      const sent = headers?.[originVerifyHeader];
      if (sent === undefined || !values.some((value) => sameSecret(value, sent))) {
        throw new ForbiddenError('ORIGIN_NOT_ALLOWED', 'Call the API at its public URL');
      }
    },
  };
}

/** Constant-time comparison (of digests, which have one length whatever the inputs). */
function sameSecret(expected: string, sent: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(sent));
}

/** The check every handler of this Lambda environment runs. */
export const originCheck = createOriginCheck();
