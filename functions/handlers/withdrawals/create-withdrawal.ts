import { IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyValidationError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { createHash } from 'node:crypto';
import { idempotencyStore } from '../../data/idempotency-store.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { tradingErrors } from '../../domain/trading-errors.js';
import { idempotencyKey } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { created } from '../../http/responses.js';
import { withdrawalRequest } from '../../schemas/payments.js';
import { requestWithdrawal } from '../../usecases/withdrawals.js';

const persistenceStore = idempotencyStore();

const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: '[userId, idempotencyKey]',
  payloadValidationJmesPath: 'amount',
  expiresAfterSeconds: 24 * 60 * 60,
});

const withdrawOnce = makeIdempotent(
  async (request: { userId: string; idempotencyKey: string; amount: number }) => {
    // The withdrawal id comes from the key: even if the idempotency record were lost, it is not requested twice.
    const withdrawalId = `wd-${createHash('sha256').update(`${request.userId}\u0000${request.idempotencyKey}`).digest('hex').slice(0, 24)}`;
    return requestWithdrawal(request.userId, withdrawalId, request.amount, new Date());
  },
  { persistenceStore, config: idempotency, keyPrefix: 'withdrawals' },
);

export const handler = userHandler('withdrawals/create-withdrawal', async (event, userId, context) => {
  idempotency.registerLambdaContext(context);
  const key = idempotencyKey(event);
  if (key === undefined) {
    throw new ValidationError('Send an Idempotency-Key header so a retried withdrawal is paid once', undefined, 'IDEMPOTENCY_KEY_REQUIRED');
  }
  const { amount } = validate(withdrawalRequest, jsonBody(event));
  try {
    return created(await withdrawOnce({ userId, idempotencyKey: key, amount }));
  } catch (error) {
    if (error instanceof IdempotencyValidationError) throw tradingErrors.idempotencyKeyReused();
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new ConflictError('IDEMPOTENCY_IN_PROGRESS', 'The same withdrawal is being processed; retry in a moment');
    }
    throw error;
  }
});
