// Alarms, the dashboard and the stack outputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { indexNames } from '../../functions/data/table-definition.js';
import { metricNames } from '../../functions/observability/metric-names.js';
import { routes } from '../../functions/routes.js';
import { dailyBudgetUsd } from '../../lib/marketplace-budget.js';
import { projectPath } from '../../lib/project-paths.js';
import { deployableJobs } from '../../lib/jobs.js';
import { failureQueueOutputKey, outputKeys } from '../../lib/marketplace-stack.js';
import { stageConfigs } from '../../lib/stage-config.js';
import { deployableStreamConsumers } from '../../lib/stream-consumers.js';
import { type CfnResource, referencedId, resources, stage } from './support/synth.js';

const { template, stackName } = stage('prod');
const thresholds = stageConfigs.prod.alarms;
const [topicId] = resources(template, 'AWS::SNS::Topic')[0]!;
const alarms = new Map(resources(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [alarm.Properties!.AlarmName as string, alarm]));
const alarm = (name: string): CfnResource => {
  const found = alarms.get(`${stackName}-${name}`);
  assert.ok(found, `alarm ${name} among ${[...alarms.keys()].join(', ')}`);
  return found;
};
type MetricQuery = { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: unknown }[] }; Stat: string } };
const queries = (name: string) => alarm(name).Properties!.Metrics as MetricQuery[];

describe('alarms', () => {
  test('every alarm notifies the topic when it fires and when it clears', () => {
    assert.ok(alarms.size > 0);
    for (const [name, { Properties: props }] of alarms) {
      assert.deepEqual(props!.AlarmActions, [{ Ref: topicId }], name);
      assert.deepEqual(props!.OKActions, [{ Ref: topicId }], name);
      assert.equal(props!.TreatMissingData, 'notBreaching', name);
    }
  });

  test('the alarm set: 2 API, an errors alarm per API function, an errors alarm per ten other functions, a throttles alarm per ten functions, 2 DynamoDB, 2 per stream consumer, 1 per job, 1 for the live feed, 1 for the payouts\' dead letters', () => {
    const functionCount = resources(template, 'AWS::Lambda::Function').length;
    const apiFunctionCount = routes.length + 1;
    const consumerCount = deployableStreamConsumers().length;
    const jobCount = deployableJobs().length;
    assert.ok(jobCount > 0);
    assert.equal(alarms.size,
      2 + apiFunctionCount + Math.ceil((functionCount - apiFunctionCount) / 10) + Math.ceil(functionCount / 10) + 2 + 2 * consumerCount + jobCount
      + 1 // the live feed's publish failures (lib/live-feed.ts)
      + 1); // withdrawals the payout consumer gave up on (lib/payments.ts)
    for (const job of deployableJobs()) {
      const props = alarm(`${job.id[0]!.toUpperCase()}${job.id.slice(1)}JobFailures`).Properties!;
      assert.deepEqual([props.MetricName, props.ComparisonOperator, props.Threshold], ['ApproximateNumberOfMessagesVisible', 'GreaterThanThreshold', 0], job.id);
    }
  });

  test('API 5xx rate: percent of requests, judged only above the minimum traffic', () => {
    const metrics = queries('Api5xxRate');
    const expression = metrics.find((query) => query.Expression)!.Expression!;
    assert.match(expression, new RegExp(`requests >= ${thresholds.minRequestsForRate}`));
    assert.match(expression, /100 \* errors \/ requests/);
    assert.deepEqual(metrics.filter((query) => query.MetricStat).map((query) => query.MetricStat!.Metric.MetricName).sort(), ['5xx', 'Count']);
    assert.equal(alarm('Api5xxRate').Properties!.Threshold, thresholds.api5xxRatePercent);
  });

  test('API p99 latency', () => {
    const props = alarm('ApiP99Latency').Properties!;
    assert.equal(props.MetricName, 'Latency');
    assert.equal(props.ExtendedStatistic, 'p99');
    assert.equal(props.Threshold, thresholds.apiP99LatencyMs);
  });

  test('Lambda errors and throttles: every function is watched by exactly one alarm of each', () => {
    const functionIds = resources(template, 'AWS::Lambda::Function').map(([id]) => id).sort();
    // An API function's errors: its own alarm on its live alias, every minute (a deploy rolls back on it).
    const liveAlarms = [...alarms.entries()].filter(([name]) => name.endsWith('LiveErrors'));
    assert.equal(liveAlarms.length, routes.length + 1);
    const liveWatched = liveAlarms.map(([name, { Properties: props }]) => {
      const [query, ...others] = props!.Metrics as MetricQuery[];
      assert.equal(others.length, 0, name);
      assert.equal(query!.MetricStat!.Metric.MetricName, 'Errors', name);
      assert.equal((query!.MetricStat as { Period?: number }).Period, 60, name);
      assert.equal(props!.Threshold, thresholds.liveErrorsPerMinute, name);
      const dimensions = query!.MetricStat!.Metric.Dimensions;
      const functionId = referencedId(dimensions.find((d) => d.Name === 'FunctionName')!.Value);
      assert.deepEqual(dimensions.find((d) => d.Name === 'Resource')!.Value, { 'Fn::Join': ['', [{ Ref: functionId }, ':live']] }, name);
      return functionId;
    });
    for (const metricName of ['Errors', 'Throttles']) {
      const watched = [...(metricName === 'Errors' ? liveWatched : []), ...[...alarms.entries()]
        .filter(([name]) => name.startsWith(`${stackName}-Lambda${metricName}`))
        .flatMap(([name, a]) => {
          assert.equal(a.Properties!.Threshold, metricName === 'Errors' ? thresholds.lambdaErrorsPer5Min : thresholds.lambdaThrottlesPer5Min, name);
          assert.match((a.Properties!.Metrics as MetricQuery[]).find((query) => query.Expression)!.Expression!, /^MAX\(\[/);
          return (a.Properties!.Metrics as MetricQuery[]).filter((query) => query.MetricStat).map((query) => {
            assert.equal(query.MetricStat!.Metric.MetricName, metricName);
            return referencedId(query.MetricStat!.Metric.Dimensions.find((d) => d.Name === 'FunctionName')!.Value);
          });
        })];
      assert.deepEqual(watched.sort(), functionIds, metricName);
    }
  });

  test('DynamoDB read and write throttles, on the table and every index', () => {
    for (const kind of ['Read', 'Write']) {
      const metrics = queries(`DynamoDb${kind}Throttles`).filter((query) => query.MetricStat);
      assert.ok(metrics.every((query) => query.MetricStat!.Metric.MetricName === `${kind}ThrottleEvents`));
      const indexes = metrics.map((query) => query.MetricStat!.Metric.Dimensions.find((d) => d.Name === 'GlobalSecondaryIndexName')?.Value ?? 'table');
      assert.deepEqual(indexes.sort(), ['table', ...indexNames].sort());
      assert.equal(alarm(`DynamoDb${kind}Throttles`).Properties!.Threshold, thresholds.dynamoThrottlesPer5Min);
    }
  });

  test('CloudWatch may publish to the topic, and only over TLS', () => {
    const [, policy] = resources(template, 'AWS::SNS::TopicPolicy')[0]!;
    const statements = policy.Properties!.PolicyDocument.Statement as { Effect: string; Principal: unknown; Action: string; Condition?: unknown }[];
    assert.ok(statements.some((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com') && s.Action === 'sns:Publish'));
    assert.ok(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport')));
  });
});

test('every function is traced with X-Ray (active) and may write its traces', () => {
  const functions = resources(template, 'AWS::Lambda::Function');
  assert.ok(functions.length > 30);
  for (const [functionId, fn] of functions) {
    if (functionId.startsWith('CustomResource') || functionId.includes('LogRetention') || functionId.includes('AwsCustomResource')) continue;
    assert.deepEqual(fn.Properties!.TracingConfig, { Mode: 'Active' }, functionId);
  }
  const policies = JSON.stringify(resources(template, 'AWS::IAM::Policy').map(([, policy]) => policy.Properties!.PolicyDocument));
  assert.ok(policies.includes('xray:PutTraceSegments') && policies.includes('xray:PutTelemetryRecords'));
});

describe('dashboard', () => {
  const [, dashboard] = resources(template, 'AWS::CloudWatch::Dashboard')[0]!;
  // The body is a Fn::Join of JSON text and references; references become a placeholder inside their strings.
  const parts = (dashboard.Properties!.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'REF')).join('')) as {
    widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
  };
  const widget = (title: string) => {
    const found = body.widgets.find((candidate) => candidate.properties.title === title);
    assert.ok(found, `widget "${title}" among ${body.widgets.map((w) => w.properties.title).join(' | ')}`);
    return found.properties.metrics!;
  };
  /** A metric line is [namespace, name, dim, value, ..., { options }]. */
  const names = (lines: unknown[][]) => lines.map((line) => `${line[0]} ${line[1]}`);

  test('API: requests, 4xx and 5xx; p50 and p99 latency for every route', () => {
    assert.deepEqual(names(widget('API requests, 4xx, 5xx')).sort(), ['AWS/ApiGateway 4xx', 'AWS/ApiGateway 5xx', 'AWS/ApiGateway Count']);
    for (const stat of ['p50', 'p99']) {
      const lines = widget(`${stat} latency by route (ms)`);
      assert.equal(lines.length, routes.length);
      for (const route of routes) {
        const line = lines.find((candidate) => candidate.includes(route.path) && candidate.includes(route.method));
        assert.ok(line, `${stat} ${route.method} ${route.path}`);
        assert.equal(line[1], 'Latency');
        assert.equal((line.at(-1) as { stat: string }).stat, stat);
      }
    }
  });

  test('Lambda concurrency and throttles for every function; DynamoDB consumed capacity and throttles', () => {
    const functionCount = resources(template, 'AWS::Lambda::Function').length;
    const concurrency = widget('Lambda concurrency by function (max)');
    assert.equal(concurrency.filter((line) => line[1] === 'ConcurrentExecutions' && line.includes('FunctionName')).length, functionCount);
    assert.equal(widget('Lambda throttles and errors by function').filter((line) => line[1] === 'Throttles').length, functionCount);
    const capacity = names(widget('DynamoDB consumed capacity (units per minute)'));
    assert.ok(capacity.includes('AWS/DynamoDB ConsumedReadCapacityUnits') && capacity.includes('AWS/DynamoDB ConsumedWriteCapacityUnits'));
    const throttles = names(widget('DynamoDB throttle events'));
    assert.ok(throttles.includes('AWS/DynamoDB ReadThrottleEvents') && throttles.includes('AWS/DynamoDB WriteThrottleEvents'));
  });

  test("the functions' own metrics: sales, mints, volume, 409s by code, optimistic retries, read cache, stream lag, cold starts", () => {
    const own = (title: string): string[] => widget(title).map((line) => (line[0] === 'Marketplace' ? String(line[1]) : JSON.stringify(line)));
    assert.deepEqual(own('Trading: sales and mints; volume (minor units)').sort(), ['Mints', 'Sales', 'SalesVolume']);
    const conflicts = own('409s by code; optimistic retries');
    assert.ok(conflicts.includes('OptimisticRetries'));
    assert.ok(conflicts.some((line) => line.includes('SEARCH') && line.includes('MetricName=\\"Conflicts\\"') && line.includes('code')), conflicts.join());
    assert.deepEqual(own('Read cache hits and misses; stream lag (ms, max)').sort(), ['ReadCacheHits', 'ReadCacheMisses', 'StreamLagMs']);
    assert.ok(own('Cold starts by function').some((line) => line.includes('ColdStart') && line.includes('function_name')));
  });

  test('scheduled jobs: item failures by job, runs and failed runs, on-failure queue depth', () => {
    const jobCount = deployableJobs().length;
    const lines = widget('Scheduled jobs: item failures by job; runs and failed runs');
    assert.ok(lines.some((line) => JSON.stringify(line).includes('SEARCH') && JSON.stringify(line).includes(`MetricName=\\"${metricNames.jobItemFailures}\\"`)
      && JSON.stringify(line).includes('job')), JSON.stringify(lines));
    assert.equal(names(lines).filter((name) => name === 'AWS/Lambda Invocations').length, jobCount);
    assert.equal(names(lines).filter((name) => name === 'AWS/Lambda Errors').length, jobCount);
    assert.deepEqual(names(widget('Scheduled jobs: on-failure queue depth')), Array(jobCount).fill('AWS/SQS ApproximateNumberOfMessagesVisible'));
  });

  test('stream consumers: iterator age, invocations and errors, on-failure queue depth', () => {
    const consumerCount = deployableStreamConsumers().length;
    assert.ok(consumerCount > 0);
    assert.deepEqual(names(widget('Stream consumer iterator age (ms, max)')), Array(consumerCount).fill('AWS/Lambda IteratorAge'));
    const activity = names(widget('Stream consumer invocations and errors; on-failure queue depth'));
    assert.equal(activity.filter((name) => name === 'AWS/Lambda Invocations').length, consumerCount);
    assert.equal(activity.filter((name) => name === 'AWS/Lambda Errors').length, consumerCount);
    assert.equal(activity.filter((name) => name === 'AWS/SQS ApproximateNumberOfMessagesVisible').length, consumerCount);
  });
});

test('outputs: CloudFront URL, the internal API origin URL and origin secret, user pool and client ids, table, alarm topic, stream and job on-failure queues', () => {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
  const queueKeys = [...deployableStreamConsumers(), ...deployableJobs()].map(({ id }) => failureQueueOutputKey(id));
  assert.deepEqual(Object.keys(outputs).sort(), [...Object.values(outputKeys), ...queueKeys].sort());
  assert.match(JSON.stringify(outputs[outputKeys.cloudFrontUrl]!.Value), /https:\/\/.*DomainName/);
  assert.deepEqual(outputs[outputKeys.alarmTopicArn]!.Value, { Ref: topicId });
});

describe('budget', () => {
  const [[, budget], ...others] = resources(template, 'AWS::Budgets::Budget');
  const props = budget!.Properties!;

  test('a daily cost budget on the stage\'s tagged resources, at the capacity model\'s hourly estimate times the stage\'s hours', () => {
    assert.equal(others.length, 0);
    assert.equal(props.Budget.BudgetType, 'COST');
    assert.equal(props.Budget.TimeUnit, 'DAILY');
    assert.deepEqual(props.Budget.BudgetLimit, { Amount: dailyBudgetUsd(stageConfigs.prod), Unit: 'USD' });
    assert.equal(dailyBudgetUsd(stageConfigs.prod), stageConfigs.prod.budget.hourlyEstimateUsd * 24);
    assert.equal(dailyBudgetUsd(stageConfigs.staging), stageConfigs.staging.budget.hourlyEstimateUsd, 'staging: an hour of a load test a day');
    assert.deepEqual(props.Budget.CostFilters, { TagKeyValue: ['user:stage$prod'] });
  });

  test('the hourly estimate is the capacity model\'s cost per hour at 10,000 users (docs/load-testing.md), the costlier client mode', () => {
    const doc = readFileSync(projectPath('docs/load-testing.md'), 'utf8');
    const row = /\| cost per hour at this load[^|]*\|([^|]*)\|([^|]*)\|/.exec(doc);
    assert.ok(row, 'the capacity table has a cost row');
    const perHour = [row[1]!, row[2]!].map((cell) => Number(/\$([\d,.]+)/.exec(cell)![1]!.replace(/,/g, '')));
    for (const config of Object.values(stageConfigs)) assert.equal(config.budget.hourlyEstimateUsd, Math.max(...perHour), config.stage);
  });

  test('alerts the alarm topic when a day\'s actual cost passes it; budgets may publish to the topic', () => {
    assert.deepEqual(props.NotificationsWithSubscribers, [{
      Notification: { ComparisonOperator: 'GREATER_THAN', NotificationType: 'ACTUAL', Threshold: 100, ThresholdType: 'PERCENTAGE' },
      Subscribers: [{ Address: { Ref: topicId }, SubscriptionType: 'SNS' }],
    }]);
    const [, policy] = resources(template, 'AWS::SNS::TopicPolicy')[0]!;
    const statements = policy.Properties!.PolicyDocument.Statement as { Effect: string; Principal: unknown; Action: string }[];
    assert.ok(statements.some((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('budgets.amazonaws.com') && s.Action === 'sns:Publish'));
  });
});
