// The table's stream and its consumers (functions/stream-consumers.ts): event source mappings, on-failure
// queues, least-privilege stream reads, alarms and outputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { streamViewType } from '../../functions/data/table-definition.js';
import { matchesStreamFilter, type StreamConsumer, streamConsumers } from '../../functions/stream-consumers.js';
import { failureQueueOutputKey } from '../../lib/marketplace-stack.js';
import { stageConfigs, type StageName } from '../../lib/stage-config.js';
import { deployableStreamConsumers } from '../../lib/stream-consumers.js';
import { type CfnResource, referencedId, resource, resources, stage, synthStage } from './support/synth.js';

const stages = { staging: stage('staging'), prod: stage('prod') };
const { template } = stages.staging;
const [tableId] = resources(template, 'AWS::DynamoDB::Table')[0]!;
const streamArn = { 'Fn::GetAtt': [tableId, 'StreamArn'] };
const consumers = deployableStreamConsumers();
const streamActions = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The mappings that read the table's stream (the withdrawals queue has one of its own: lib/payments.ts). */
const streamMappings = (fromTemplate: typeof template) => resources(fromTemplate, 'AWS::Lambda::EventSourceMapping')
  .filter(([, mapping]) => JSON.stringify(mapping.Properties!.EventSourceArn).includes('StreamArn'));

/** The event source mapping of a consumer, its function and its on-failure queue. */
function wiring(fromTemplate: typeof template, consumer: StreamConsumer) {
  const mappings = resources(fromTemplate, 'AWS::Lambda::EventSourceMapping')
    .filter(([, mapping]) => referencedId(mapping.Properties!.FunctionName).includes(consumer.id));
  assert.equal(mappings.length, 1, `one mapping for ${consumer.id}`);
  const [, mapping] = mappings[0]!;
  const functionId = referencedId(mapping.Properties!.FunctionName);
  const queueId = referencedId(mapping.Properties!.DestinationConfig.OnFailure.Destination);
  return { mapping: mapping.Properties!, functionId, fn: resource(fromTemplate, functionId), queueId, queue: resource(fromTemplate, queueId) };
}

function statementsOf(fromTemplate: typeof template, functionId: string): Statement[] {
  const roleId = referencedId(resource(fromTemplate, functionId).Properties!.Role);
  return resources(fromTemplate, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties!.Roles as unknown[]).some((role) => referencedId(role) === roleId))
    .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement as Statement[]);
}

/** Lambda event filtering as documented: a list matches a value equal to one of its strings; objects nest. */
function lambdaFilterMatches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern as Record<string, unknown>)
    .every(([key, inner]) => lambdaFilterMatches(inner, (value as Record<string, unknown>)[key]));
}

test('the table streams new and old images, in both stages', () => {
  for (const stageName of ['staging', 'prod'] as StageName[]) {
    const [, table] = resources(stages[stageName].template, 'AWS::DynamoDB::Table')[0]!;
    assert.deepEqual(table.Properties!.StreamSpecification, { StreamViewType: 'NEW_AND_OLD_IMAGES' }, stageName);
    assert.equal(streamViewType, 'NEW_AND_OLD_IMAGES', 'DynamoDB Local builds the same stream');
  }
});

test('the market aggregator and the feed publisher are listed and their handlers have landed, so the stack deploys them', () => {
  assert.deepEqual(consumers.map((consumer) => consumer.id), ['aggregateMarket', 'publishFeed']);
  assert.equal(streamMappings(template).length, consumers.length);
  assert.equal(resources(template, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('Streams')).length, consumers.length);
});

test('only consumers whose handler file exists are deployed', () => {
  const [consumer] = streamConsumers;
  const missing = { ...consumer!, id: 'missingConsumer', handler: 'streams/does-not-exist' };
  assert.deepEqual(deployableStreamConsumers([consumer!, missing]).map((c) => c.id), [consumer!.id]);
  assert.deepEqual(deployableStreamConsumers([consumer!, missing], () => false), []);
});

describe('aggregateMarket', () => {
  const consumer = streamConsumers.find((candidate) => candidate.id === 'aggregateMarket')!;
  const { mapping, functionId, fn, queueId, queue } = wiring(template, consumer);

  test('reads the table stream from the oldest record, with the batching and retries of its definition', () => {
    assert.deepEqual(mapping.EventSourceArn, streamArn);
    assert.equal(mapping.StartingPosition, 'TRIM_HORIZON');
    assert.equal(mapping.BatchSize, consumer.batchSize);
    assert.equal(mapping.MaximumBatchingWindowInSeconds, consumer.maxBatchingWindowSeconds);
    assert.equal(mapping.MaximumRetryAttempts, consumer.retryAttempts);
    assert.equal(mapping.BisectBatchOnFunctionError, true);
    assert.equal(mapping.ParallelizationFactor, consumer.parallelizationFactor);
    assert.equal(mapping.MaximumRecordAgeInSeconds, 20 * 3600, 'gives up 4 hours before the stream trims the records');
    assert.deepEqual(mapping.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.equal(fn.Properties!.Timeout, consumer.timeoutSeconds);
  });

  test('is invoked only for inserted activity and credit items (Lambda filter pattern)', () => {
    const filters = mapping.FilterCriteria.Filters as { Pattern: string }[];
    assert.equal(filters.length, 1);
    assert.deepEqual(JSON.parse(filters[0]!.Pattern), {
      eventName: ['INSERT'],
      dynamodb: { NewImage: { entity: { S: ['activity', 'credit'] } } },
    });
  });

  test('the deployed filter and the local poller (matchesStreamFilter) agree on every kind of record', () => {
    const pattern = JSON.parse((mapping.FilterCriteria.Filters as { Pattern: string }[])[0]!.Pattern);
    for (const eventName of ['INSERT', 'MODIFY', 'REMOVE']) {
      for (const entity of ['activity', 'credit', 'listing', 'account', undefined]) {
        const record = { eventName, dynamodb: { NewImage: entity === undefined ? {} : { entity: { S: entity } } } };
        assert.equal(lambdaFilterMatches(pattern, record), matchesStreamFilter(consumer.filter, record), `${eventName} ${entity}`);
      }
    }
  });

  test('a batch it gives up on goes to its own queue: SQS-encrypted, TLS only, kept 14 days', () => {
    assert.deepEqual(mapping.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': [queueId, 'Arn'] });
    assert.equal(queue.Properties!.SqsManagedSseEnabled, true);
    assert.equal(queue.Properties!.MessageRetentionPeriod, 14 * 86_400);
    const policies = resources(template, 'AWS::SQS::QueuePolicy')
      .filter(([, policy]) => (policy.Properties!.Queues as unknown[]).some((ref) => referencedId(ref) === queueId));
    assert.equal(policies.length, 1);
    const statements = policies[0]![1].Properties!.PolicyDocument.Statement as Statement[];
    assert.ok(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } })));
  });

  test('its role reads only this table\'s stream, writes the table and sends only to its queue', () => {
    const statements = statementsOf(template, functionId);
    const actions = (s: Statement) => [s.Action].flat();
    const onStream = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(streamArn));
    assert.deepEqual(onStream.flatMap(actions).sort(), streamActions);
    // ListStreams has no resource-level permission; it lists stream ARNs and reads no record. (CDK merges the
    // X-Ray trace writes, also Resource '*', into its statement.)
    const listStreams = statements.filter((s) => actions(s).includes('dynamodb:ListStreams'));
    assert.deepEqual(listStreams.map((s) => [actions(s).sort(), s.Resource]), [[['dynamodb:ListStreams', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'], '*']]);
    // CDK's table grant also names GetRecords/GetShardIterator on the table and index ARNs, which match no stream.
    for (const statement of statements.filter((s) => actions(s).includes('dynamodb:DescribeStream'))) {
      assert.deepEqual(statement.Resource, streamArn);
    }
    const allActions = statements.flatMap(actions);
    assert.ok(allActions.includes('dynamodb:UpdateItem') && allActions.includes('dynamodb:Query'), 'reads and writes the table');
    const sqs = statements.filter((s) => actions(s).some((action) => action.startsWith('sqs:')));
    assert.deepEqual(sqs.map((s) => s.Resource), [{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    assert.ok(!sqs.flatMap(actions).includes('sqs:ReceiveMessage'), 'cannot consume the queue');
  });

  test('no function but the stream consumers may read the stream, and no other may use the queue', () => {
    for (const [id, policy] of resources(template, 'AWS::IAM::Policy')) {
      const text = JSON.stringify(policy.Properties!.PolicyDocument);
      if (id.includes(consumer.id)) continue;
      assert.ok(!text.includes(queueId), id);
      if (consumers.some((other) => id.includes(other.id))) continue;
      assert.ok(!text.includes('StreamArn') && !text.includes('dynamodb:DescribeStream') && !text.includes('dynamodb:ListStreams'), id);
    }
  });

  test('the queue URL is a stack output', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.equal(failureQueueOutputKey(consumer.id), 'AggregateMarketFailureQueueUrl');
    assert.deepEqual(outputs[failureQueueOutputKey(consumer.id)]!.Value, { Ref: queueId });
  });

  for (const stageName of ['staging', 'prod'] as StageName[]) {
    test(`${stageName}: alarms on stream lag (IteratorAge max > ${stageConfigs[stageName].alarms.streamLagMs} ms for 3 of 3 minutes) and on any failed batch`, () => {
      const { template: stageTemplate, stackName } = stages[stageName];
      const { functionId: stageFunctionId, queueId: stageQueueId } = wiring(stageTemplate, consumer);
      const alarm = (name: string): CfnResource => {
        const found = resources(stageTemplate, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties!.AlarmName === `${stackName}-${name}`);
        assert.ok(found, name);
        return found[1];
      };
      const lag = alarm('AggregateMarketStreamLag').Properties!;
      const [lagQuery] = lag.Metrics as { MetricStat: { Metric: { MetricName: string; Dimensions: { Value: unknown }[] }; Period: number; Stat: string } }[];
      assert.equal(lagQuery!.MetricStat.Metric.MetricName, 'IteratorAge');
      assert.deepEqual(lagQuery!.MetricStat.Metric.Dimensions.map((d) => referencedId(d.Value)), [stageFunctionId]);
      assert.equal(lagQuery!.MetricStat.Stat, 'Maximum');
      assert.equal(lagQuery!.MetricStat.Period, 60);
      assert.equal(lag.ComparisonOperator, 'GreaterThanThreshold');
      assert.equal(lag.Threshold, stageConfigs[stageName].alarms.streamLagMs);
      assert.equal(lag.Threshold, 60_000);
      assert.equal(lag.EvaluationPeriods, 3);
      assert.equal(lag.DatapointsToAlarm, 3);

      const failures = alarm('AggregateMarketStreamFailures').Properties!;
      assert.equal(failures.Namespace, 'AWS/SQS');
      assert.equal(failures.MetricName, 'ApproximateNumberOfMessagesVisible');
      assert.deepEqual(failures.Dimensions, [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stageQueueId, 'QueueName'] } }]);
      assert.equal(failures.Period, 300);
      assert.equal(failures.ComparisonOperator, 'GreaterThanThreshold');
      assert.equal(failures.Threshold, 0);
      assert.equal(failures.EvaluationPeriods, 1);
    });
  }
});

test('a consumer of several event names gets an OR list; one whose handler is missing gets nothing', () => {
  const [base] = streamConsumers;
  const variant: StreamConsumer = {
    ...base!, id: 'variantConsumer', handler: 'system/not-found', filter: { eventNames: ['INSERT', 'MODIFY'], entities: ['listing'] },
  };
  const missing: StreamConsumer = { ...base!, id: 'missingConsumer', handler: 'streams/does-not-exist' };
  const { template: variantTemplate } = synthStage('staging', { streamConsumers: [variant, missing] });
  assert.equal(streamMappings(variantTemplate).length, 1);
  const { mapping } = wiring(variantTemplate, variant);
  assert.deepEqual(JSON.parse(mapping.FilterCriteria.Filters[0].Pattern), {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { entity: { S: ['listing'] } } },
  });
  assert.ok(!JSON.stringify(variantTemplate.toJSON()).includes('missingConsumer'));
});
