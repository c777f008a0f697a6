import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * An SQS queue that is the on-failure destination of a function (a stream consumer's batches, a scheduled
 * job's invocations): encrypted, TLS only, kept 14 days for an operator to read (docs/deploy.md), and
 * alarmed on by lib/marketplace-alarms.ts.
 */
export class OnFailureQueue extends Queue {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself an on-failure destination (of a stream consumer or a scheduled job); an operator reads it (docs/deploy.md), nothing consumes it automatically, so a queue behind it would never receive anything.',
    });
  }
}
