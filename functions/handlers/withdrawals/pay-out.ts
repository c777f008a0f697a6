import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { instrumented } from '../../observability/instrumented.js';
import type { PayoutMessage } from '../../payments/withdrawal-queue.js';
import { payOut } from '../../usecases/withdrawals.js';

const processor = new BatchProcessor(EventType.SQS);

/**
 * The withdrawals queue's consumer: asks the provider to pay each withdrawal out. A message that fails is
 * reported in the partial batch response and received again; after the queue's maxReceiveCount it goes to
 * the dead-letter queue, whose alarm calls someone (lib/payments.ts).
 */
export const handler = instrumented(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, async (record: SQSRecord) => {
    await payOut(JSON.parse(record.body) as PayoutMessage, new Date());
  }, processor, { context }));
