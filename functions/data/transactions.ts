import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tradingErrors } from '../domain/trading-errors.js';
import { metricNames } from '../observability/metric-names.js';
import { metrics, MetricUnit } from '../observability/metrics.js';
import { db } from './client.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What a failed condition on one item means: a rule the client broke, or state we read that moved on. */
export type OnConditionFailed = (() => Error) | 'stale';

export interface GuardedWrite {
  item: TransactItem;
  onConditionFailed?: OnConditionFailed;
}

/** The state an operation read changed before its transaction landed: read again and retry. */
export class StaleReadError extends Error {
  constructor() {
    super('state changed between read and write');
    this.name = 'StaleReadError';
  }
}

interface CancellationReason {
  Code?: string;
}

/**
 * One TransactWriteItems: all writes land or none do. A failed condition becomes the error its write
 * declared (INSUFFICIENT_FUNDS, LISTING_UNAVAILABLE, ...) or a StaleReadError to retry; a conflict with a
 * concurrent transaction is retried too. The SDK sends a ClientRequestToken, so its own retries of the
 * same call are idempotent.
 */
export async function transact(writes: GuardedWrite[]): Promise<void> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: writes.map((w) => w.item) }));
  } catch (error) {
    const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
    if ((error as Error).name !== 'TransactionCanceledException' || !reasons) throw error;
    for (const [index, reason] of reasons.entries()) {
      if (reason.Code !== 'ConditionalCheckFailed') continue;
      const meaning = writes[index]?.onConditionFailed ?? 'stale';
      if (meaning !== 'stale') throw meaning();
    }
    throw new StaleReadError();
  }
}

/**
 * Read-decide-write with optimistic concurrency: the operation reads, decides with the domain rules and
 * writes with conditions on what it read; if any of that moved on meanwhile it runs again from the top.
 */
export async function withOptimisticRetry<T>(operation: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof StaleReadError)) throw error;
      if (attempt >= attempts) throw tradingErrors.busy();
      metrics.addMetric(metricNames.optimisticRetries, MetricUnit.Count, 1);
      const backoff = Math.min(400, 15 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * backoff));
    }
  }
}
