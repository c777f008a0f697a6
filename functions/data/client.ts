import { DynamoDBClient, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FinalizeRequestMiddleware, InitializeMiddleware } from '@smithy/types';
import { tracer } from '../observability/tracer.js';
import { capacityMeter } from './capacity-meter.js';
import { refuseInexactNumbers, storedNumber } from './stored-numbers.js';

/**
 * How the DynamoDB client fails. A sick DynamoDB must fail a request fast (503) instead of holding it to
 * the Lambda timeout, so every wait is bounded:
 * - connecting: `connectionTimeoutMs` per attempt;
 * - one attempt: `requestTimeoutMs` from sending to the response headers, and at most `requestTimeoutMs`
 *   of silence on the socket while the body streams (the SDK's own default would wait 5 minutes);
 * - one call, all attempts and backoffs included: `callTimeoutMs`; once it has passed no new attempt starts.
 * The SDK's standard retry mode retries throttling (backoff from 1 s) and transient errors (timeouts,
 * dropped or refused connections, 5xx; backoff from 50 ms) up to `maxAttempts` in all. It never retries a
 * failed condition (ConditionalCheckFailedException, TransactionCanceledException) or a validation error.
 * Worst case with the defaults: a call answers within ~4 s, well under the Lambda timeout (10 s+).
 */
export interface DynamoDbClientSettings {
  endpoint?: string | undefined;
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  callTimeoutMs: number;
}

export const defaultClientSettings: Readonly<Omit<DynamoDbClientSettings, 'endpoint'>> = {
  maxAttempts: 3,
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  callTimeoutMs: 4000,
};

function positiveNumber(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return parsed;
}

/** The settings the environment asks for: DYNAMODB_ENDPOINT, DYNAMODB_MAX_ATTEMPTS, DYNAMODB_*_TIMEOUT_MS. */
export function clientSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoDbClientSettings {
  return {
    endpoint: env.DYNAMODB_ENDPOINT || undefined,
    maxAttempts: Math.floor(positiveNumber(env.DYNAMODB_MAX_ATTEMPTS, defaultClientSettings.maxAttempts, 'DYNAMODB_MAX_ATTEMPTS')),
    connectionTimeoutMs: positiveNumber(env.DYNAMODB_CONNECT_TIMEOUT_MS, defaultClientSettings.connectionTimeoutMs, 'DYNAMODB_CONNECT_TIMEOUT_MS'),
    requestTimeoutMs: positiveNumber(env.DYNAMODB_REQUEST_TIMEOUT_MS, defaultClientSettings.requestTimeoutMs, 'DYNAMODB_REQUEST_TIMEOUT_MS'),
    callTimeoutMs: positiveNumber(env.DYNAMODB_CALL_TIMEOUT_MS, defaultClientSettings.callTimeoutMs, 'DYNAMODB_CALL_TIMEOUT_MS'),
  };
}

/** Thrown when a call's time budget is spent. Not a name the SDK retries: the budget is final. */
export class DynamoDbDeadlineError extends Error {
  constructor(budgetMs: number) {
    super(`DynamoDB did not answer within the ${budgetMs} ms call budget`);
    this.name = 'DynamoDbDeadlineError';
  }
}

const deadlineKey = Symbol('dynamoDbCallDeadline');

/** Starts the call's clock (outside the retry loop) and holds every attempt (inside it) to what is left. */
function addCallDeadline(client: DynamoDBClient, budgetMs: number): void {
  const start: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => (args) => {
    (context as Record<symbol, number>)[deadlineKey] = Date.now() + budgetMs;
    return next(args);
  };
  const attempt: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => (args) => {
    const deadline = (context as Record<symbol, number | undefined>)[deadlineKey];
    if (deadline === undefined) return next(args);
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new DynamoDbDeadlineError(budgetMs));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DynamoDbDeadlineError(budgetMs)), left);
    });
    const sent = next(args);
    // The abandoned attempt ends by its own request timeout; its outcome no longer matters.
    sent.catch(() => undefined);
    return Promise.race([sent, expired]).finally(() => clearTimeout(timer));
  };
  client.middlewareStack.add(start, { step: 'initialize', name: 'callDeadlineStart', priority: 'high' });
  client.middlewareStack.addRelativeTo(attempt, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'callDeadlineAttempt' });
}

/** A DynamoDB client with bounded waits and retries (see DynamoDbClientSettings). */
export function createDynamoDbClient(
  settings: DynamoDbClientSettings,
  extra: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {},
): DynamoDBClient {
  const client = new DynamoDBClient({
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...extra,
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      socketTimeout: settings.requestTimeoutMs,
    },
  });
  addCallDeadline(client, settings.callTimeoutMs);
  return client;
}

/**
 * One DynamoDB client per execution environment, created at init and reused by every invocation.
 * Anything else that talks to the table (e.g. Powertools' DynamoDBPersistenceLayer: `awsSdkV3Client`)
 * should use this client too, or it gets the SDK defaults: no request timeout, a 5-minute socket timeout.
 */
const untracedClient = createDynamoDbClient(clientSettingsFromEnv());
export const dynamoDbClient = tracer ? tracer.captureAWSv3Client(untracedClient) : untracedClient;
const lowLevelClient = dynamoDbClient;
capacityMeter.attach(lowLevelClient);

/** Numbers come back as JS numbers, never BigInts, and none beyond 2^53 - 1 is written (stored-numbers.ts). */
export const db = DynamoDBDocumentClient.from(lowLevelClient, {
  marshallOptions: { removeUndefinedValues: true },
  unmarshallOptions: { wrapNumbers: storedNumber },
});
refuseInexactNumbers(db);

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}
