import { existsSync } from 'node:fs';
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type StreamConsumer, streamConsumers } from '../functions/stream-consumers.js';
import { handlerEntry } from './bundling.js';
import { MarketplaceFunction } from './marketplace-function.js';
import { OnFailureQueue } from './on-failure-queue.js';
import { projectPath } from './project-paths.js';
import type { StageConfig } from './stage-config.js';

/**
 * Lambda gives up on a batch older than this and sends its shard and sequence range to the on-failure queue.
 * DynamoDB Streams keeps records 24 hours: giving up at 20 leaves the operator 4 hours to read them back.
 */
export const maxRecordAge = Duration.hours(20);

/** The consumers whose handler file exists (as deployableJobs in lib/jobs.ts). */
export function deployableStreamConsumers(
  list: readonly StreamConsumer[] = streamConsumers,
  exists: (path: string) => boolean = existsSync,
): StreamConsumer[] {
  return list.filter((consumer) => exists(projectPath(handlerEntry(consumer.handler))));
}

/** The Lambda event filter of a consumer: its event names, and its entities in the new image. */
export function streamFilterPattern(filter: StreamConsumer['filter']): Record<string, unknown> {
  return {
    eventName: FilterRule.or(...filter.eventNames),
    dynamodb: { NewImage: { entity: { S: FilterRule.or(...filter.entities) } } },
  };
}

export interface StreamConsumerFunction {
  consumer: StreamConsumer;
  handler: MarketplaceFunction;
  /** Where Lambda sends the invocation record of a batch it gave up on (the records stay in the stream). */
  failureQueue: Queue;
}

/** A function per stream consumer, fed by the table's stream, with an on-failure queue. */
export class StreamConsumers extends Construct {
  readonly consumers: StreamConsumerFunction[];

  constructor(scope: Construct, id: string, props: { config: StageConfig; table: ITable; consumers: readonly StreamConsumer[] }) {
    super(scope, id);
    const { config, table } = props;
    this.consumers = props.consumers.map((consumer) => {
      const handler = new MarketplaceFunction(this, consumer.id, {
        handler: consumer.handler,
        access: 'write',
        description: `DynamoDB stream: ${consumer.summary}`.slice(0, 256),
        table,
        config,
        timeout: Duration.seconds(consumer.timeoutSeconds),
      });

      const failureQueue = new OnFailureQueue(this, `${consumer.id}Failures`);

      handler.function.addEventSource(new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        retryAttempts: consumer.retryAttempts,
        bisectBatchOnError: consumer.bisectBatchOnError,
        parallelizationFactor: consumer.parallelizationFactor,
        reportBatchItemFailures: true,
        maxRecordAge,
        filters: [FilterCriteria.filter(streamFilterPattern(consumer.filter))],
        onFailure: new SqsDlq(failureQueue),
      }));
      Validations.of(handler.function.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'dynamodb:ListStreams (Lambda lists the table\'s streams to find the shards) supports no resource-level permission; the record reads (DescribeStream, GetRecords, GetShardIterator) are limited to this table\'s stream.',
      });
      return { consumer, handler, failureQueue };
    });
  }
}
