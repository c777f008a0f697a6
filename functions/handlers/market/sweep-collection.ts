import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { createHash } from 'node:crypto';
import { ValidationError } from '../../domain/errors.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { idempotencyStore } from '../../data/idempotency-store.js';
import { idempotencyKey } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { sweepRequest } from '../../schemas/bulk-trading.js';
import { sweepCollection, type SweepRequest } from '../../usecases/sweep.js';

const config = tradingConfig();
/** The sweep stops starting buys this long before the invocation's end, so it answers instead of being cut off. */
const stopBeforeEndMs = 2_000;

/** Powertools replays a finished sweep's answer for 24 h; the sweep's own slots keep a retry from buying twice after that. */
const persistenceStore = idempotencyStore();
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: '[userId, idempotencyKey]',
  payloadValidationJmesPath: '[collectionId, maxItems, maxPricePerItem, attributes]',
  expiresAfterSeconds: 24 * 60 * 60,
});

const hash = (text: string) => createHash('sha256').update(text).digest('base64url');

const sweepOnce = makeIdempotent(
  async (request: SweepRequest & { userId: string; idempotencyKey: string; deadline: number }) => {
    const { userId, idempotencyKey: key, deadline, ...sweep } = request;
    const sweepId = hash(`${userId}\u0000${key}`).slice(0, 27);
    const traits = sweep.attributes && Object.keys(sweep.attributes).sort().map((k) => [k, [...new Set(sweep.attributes![k])].sort()]);
    const requestHash = hash(JSON.stringify([sweep.collectionId, sweep.maxItems, sweep.maxPricePerItem, ...(traits ? [traits] : [])]));
    return sweepCollection(userId, sweepId, sweep, requestHash, config, deadline);
  },
  { persistenceStore, config: idempotency, keyPrefix: 'sweeps' },
);

export const handler = userHandler('market/sweep-collection', async (event, userId, context) => {
  // An in-progress record lasts no longer than this invocation can, so a retry after a timeout carries on.
  idempotency.registerLambdaContext(context);
  const key = idempotencyKey(event);
  if (key === undefined) {
    throw new ValidationError('Send an Idempotency-Key header so a retried sweep buys nothing twice', undefined, 'IDEMPOTENCY_KEY_REQUIRED');
  }
  const request = validate(sweepRequest, jsonBody(event));
  const deadline = Date.now() + context.getRemainingTimeInMillis() - stopBeforeEndMs;
  return sweepOnce({ userId, idempotencyKey: key, ...request, deadline });
});
