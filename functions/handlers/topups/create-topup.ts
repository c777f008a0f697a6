import { IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyValidationError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { createHash } from 'node:crypto';
import { idempotencyStore } from '../../data/idempotency-store.js';
import { creditTopup, startTopup } from '../../usecases/topups.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { tradingErrors } from '../../domain/trading-errors.js';
import { callerGroups } from '../../http/caller.js';
import { idempotencyKey } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { created } from '../../http/responses.js';
import { topupRequest } from '../../schemas/trading.js';

/** Powertools keeps one record per (user, Idempotency-Key) in the idempotency table; it expires through DynamoDB TTL. */
const persistenceStore = idempotencyStore();

const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: '[userId, idempotencyKey]',
  payloadValidationJmesPath: 'amount',
  expiresAfterSeconds: 24 * 60 * 60,
});

/**
 * Only where the stage allows it (TESTER_INSTANT_CREDIT, set by the stack from the stage config; never in prod,
 * test/stack proves it) and only for the Cognito group `testers`: a top-up credited at once, without a payment,
 * so load tests need no card.
 */
const instantCreditGroup = 'testers';
const instantCreditAllowed = () => process.env.TESTER_INSTANT_CREDIT === 'true';

const topUpOnce = makeIdempotent(
  async (request: { userId: string; idempotencyKey: string; amount: number; instant: boolean }) => {
    // The top-up id comes from the key too: even if the idempotency record were lost, the payment is not repeated.
    const topupId = `top-${createHash('sha256').update(`${request.userId}\u0000${request.idempotencyKey}`).digest('hex').slice(0, 24)}`;
    if (request.instant) return { ...(await creditTopup(request.userId, topupId, request.amount, new Date())), clientSecret: null };
    return startTopup(request.userId, topupId, request.amount, new Date());
  },
  // A fixed prefix: the records outlive a renamed function (the default prefix is the function's name).
  { persistenceStore, config: idempotency, keyPrefix: 'topups' },
);

export const handler = userHandler('topups/create-topup', async (event, userId, context) => {
  // An in-progress record lasts no longer than this invocation can, so a crashed attempt can be retried.
  idempotency.registerLambdaContext(context);
  const key = idempotencyKey(event);
  if (key === undefined) {
    throw new ValidationError('Send an Idempotency-Key header so a retried top-up is paid once', undefined, 'IDEMPOTENCY_KEY_REQUIRED');
  }
  const { amount } = validate(topupRequest, jsonBody(event));
  const instant = instantCreditAllowed() && callerGroups(event).includes(instantCreditGroup);
  try {
    return created(await topUpOnce({ userId, idempotencyKey: key, amount, instant }));
  } catch (error) {
    if (error instanceof IdempotencyValidationError) throw tradingErrors.idempotencyKeyReused();
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new ConflictError('IDEMPOTENCY_IN_PROGRESS', 'The same top-up is being processed; retry in a moment');
    }
    throw error;
  }
});
