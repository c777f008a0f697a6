import { Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fiveMinutes, type MonitoredResources, oneMinute, tableAndIndexMetrics } from './monitored-resources.js';
import type { AlarmThresholds } from './stage-config.js';

/** Alarms on the API, every function, the table, its stream consumers and the scheduled jobs, all notifying one SNS topic. */
export class MarketplaceAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly api5xxRate: Alarm;
  readonly apiP99Latency: Alarm;
  private readonly liveErrors = new Map<string, Alarm>();

  constructor(scope: Construct, id: string, props: { resources: MonitoredResources; thresholds: AlarmThresholds }) {
    super(scope, id);
    const { resources, thresholds } = props;
    const stack = Stack.of(this);

    this.topic = new Topic(this, 'Topic', { displayName: `${stack.stackName} alarms`, enforceSSL: true });
    // With a topic policy in place (enforceSSL adds one), CloudWatch needs an explicit right to publish.
    this.topic.addToResourcePolicy(new PolicyStatement({
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    }));
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'Alarm notifications carry metric names and thresholds, no user data. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key would add a key policy and cost for nothing to protect.',
    });

    const { stage } = resources;
    const live = new Set(resources.liveAliases.map(({ id: functionId }) => functionId));
    const requests = stage.metricCount({ period: oneMinute, statistic: 'Sum' });
    const serverErrors = stage.metricServerError({ period: oneMinute, statistic: 'Sum' });
    this.api5xxRate = this.add('Api5xxRate', {
      metric: new MathExpression({
        expression: `IF(requests >= ${thresholds.minRequestsForRate}, 100 * errors / requests, 0)`,
        usingMetrics: { requests, errors: serverErrors },
        period: oneMinute,
        label: 'API 5xx %',
      }),
      threshold: thresholds.api5xxRatePercent,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: `More than ${thresholds.api5xxRatePercent}% of API requests answered 5xx in 3 of 5 minutes`,
    });
    this.apiP99Latency = this.add('ApiP99Latency', {
      metric: stage.metricLatency({ period: oneMinute, statistic: 'p99' }),
      threshold: thresholds.apiP99LatencyMs,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: `API p99 latency above ${thresholds.apiP99LatencyMs} ms in 3 of 5 minutes`,
    });

    // An API function's errors: its own alarm on its live alias, judged every minute, so that CodeDeploy rolls a
    // deploy back on it (lib/safe-deploys.ts).
    for (const { id: functionId, alias } of resources.liveAliases) {
      this.liveErrors.set(functionId, this.add(`${functionId[0]!.toUpperCase()}${functionId.slice(1)}LiveErrors`, {
        metric: alias.metricErrors({ period: oneMinute, statistic: 'Sum', label: `${functionId} live errors` }),
        threshold: thresholds.liveErrorsPerMinute,
        evaluationPeriods: 1,
        description: `${functionId} (live alias) had ${thresholds.liveErrorsPerMinute}+ invocation errors (crashes, timeouts) in a minute; a deploy in progress rolls back`,
      }));
    }

    // Every other function: one alarm per group of up to ten (a CloudWatch alarm reads at most ten metrics): MAX
    // over the group fires when any one function passes the per-function threshold. Throttles, for every function,
    // the same way: a per-function alarm adds a resource per function, and CloudFormation caps a stack at 500.
    chunks(resources.functions.filter(({ id: functionId }) => !live.has(functionId)), maxAlarmMetrics).forEach((group, i) => {
      const ids = group.map(({ id: functionId }) => functionId).join(', ');
      this.add(`LambdaErrors${i + 1}`, {
        metric: combine('MAX', group.map(({ id: functionId, function: fn }) =>
          fn.metricErrors({ period: fiveMinutes, statistic: 'Sum', label: functionId })), 'Lambda errors (worst function)'),
        threshold: thresholds.lambdaErrorsPer5Min,
        evaluationPeriods: 1,
        description: `A function had ${thresholds.lambdaErrorsPer5Min}+ invocation errors (crashes, timeouts) in 5 minutes; one of: ${ids}`,
      });
    });
    chunks(resources.functions, maxAlarmMetrics).forEach((group, i) => {
      const ids = group.map(({ id: functionId }) => functionId).join(', ');
      this.add(`LambdaThrottles${i + 1}`, {
        metric: combine('MAX', group.map(({ id: functionId, function: fn }) =>
          fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum', label: functionId })), 'Lambda throttles (worst function)'),
        threshold: thresholds.lambdaThrottlesPer5Min,
        evaluationPeriods: 1,
        description: `A function had ${thresholds.lambdaThrottlesPer5Min}+ throttled invocations in 5 minutes (concurrency limit); one of: ${ids}`,
      });
    });

    for (const kind of ['Read', 'Write'] as const) {
      const metrics = tableAndIndexMetrics(resources.table, `${kind}ThrottleEvents`, { period: fiveMinutes, statistic: 'Sum' });
      this.add(`DynamoDb${kind}Throttles`, {
        metric: combine('SUM', metrics, `DynamoDB ${kind.toLowerCase()} throttle events`),
        threshold: thresholds.dynamoThrottlesPer5Min,
        evaluationPeriods: 1,
        description: `${thresholds.dynamoThrottlesPer5Min}+ DynamoDB ${kind.toLowerCase()} throttle events (table and indexes) in 5 minutes`,
      });
    }

    for (const { id: consumerId, function: fn, failureQueue } of resources.streamConsumers) {
      const name = consumerId[0]!.toUpperCase() + consumerId.slice(1);
      this.add(`${name}StreamLag`, {
        metric: fn.metric('IteratorAge', { period: oneMinute, statistic: 'Maximum', label: `${consumerId} iterator age` }),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: thresholds.streamLagMs,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        description: `${consumerId} is more than ${thresholds.streamLagMs} ms behind the table's stream for 3 minutes: what it aggregates is that stale (docs/deploy.md)`,
      });
      this.addQueueAlarm(`${name}StreamFailures`, failureQueue,
        `${consumerId} gave up on a batch of stream records: its on-failure queue holds the shard and sequence range to replay from the stream (docs/deploy.md)`);
    }

    for (const { id: jobId, failureQueue } of resources.jobs) {
      this.addQueueAlarm(`${jobId[0]!.toUpperCase()}${jobId.slice(1)}JobFailures`, failureQueue,
        `A run of the ${jobId} job failed (items it could not do, a timeout, or a throttled run): its on-failure queue holds the event and the error naming the items; they are retried with a backoff (docs/deploy.md)`);
    }
  }

  /** Fires while an on-failure queue holds a message. */
  private addQueueAlarm(id: string, queue: IQueue, description: string) {
    this.add(id, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      description,
    });
  }

  /** What a deploy of this API function rolls back on: the API's 5xx rate and p99 latency, and its own errors. */
  rollbackAlarms(functionId: string): Alarm[] {
    const own = this.liveErrors.get(functionId);
    if (!own) throw new Error(`${functionId} has no live alias`);
    return [this.api5xxRate, this.apiP99Latency, own];
  }

  private add(id: string, props: {
    metric: IMetric;
    threshold: number;
    evaluationPeriods: number;
    datapointsToAlarm?: number;
    comparisonOperator?: ComparisonOperator;
    description: string;
  }) {
    const alarm = new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods,
      datapointsToAlarm: props.datapointsToAlarm,
      comparisonOperator: props.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is not an outage: the API and functions publish nothing when idle.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}

const maxAlarmMetrics = 10;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * One time series from several: SUM or MAX of whatever series have a value at each time (`a + b` would
 * drop a period missing from either).
 */
function combine(fn: 'SUM' | 'MAX', metrics: IMetric[], label: string): MathExpression {
  if (metrics.length > maxAlarmMetrics) throw new Error(`An alarm can read at most ${maxAlarmMetrics} metrics, not ${metrics.length}`);
  const usingMetrics = Object.fromEntries(metrics.map((metric, i) => [`m${i}`, metric]));
  return new MathExpression({
    expression: `${fn}([${Object.keys(usingMetrics).join(', ')}])`,
    usingMetrics,
    period: fiveMinutes,
    label,
  });
}
