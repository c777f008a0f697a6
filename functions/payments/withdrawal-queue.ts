import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** What the payout consumer needs to pay a withdrawal out, with no read but the withdrawal itself. */
export interface PayoutMessage {
  userId: string;
  withdrawalId: string;
  withdrawalSk: string;
  amount: number;
}

let client: SQSClient | null = null;

/**
 * Queues a withdrawal for payout (WITHDRAWALS_QUEUE_URL; the SDK sends to the queue URL's host, locally
 * local/payment-provider.ts). At least once: the consumer pays each withdrawal once whatever it receives.
 */
export async function queuePayout(message: PayoutMessage): Promise<void> {
  const queueUrl = process.env.WITHDRAWALS_QUEUE_URL;
  if (!queueUrl) throw new Error('WITHDRAWALS_QUEUE_URL is not set');
  client ??= new SQSClient({});
  await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
}
