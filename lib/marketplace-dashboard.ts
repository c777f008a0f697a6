import { Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, Metric, TextWidget, type IMetric, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { metricNames, metricsNamespace } from '../functions/observability/metric-names.js';
import { serviceName } from './marketplace-function.js';
import { Construct } from 'constructs';
import { type MonitoredResources, oneMinute, routeMetric, tableAndIndexMetrics } from './monitored-resources.js';

const width = 12;
const height = 6;

/** One dashboard per stage: edge, API (overall and per route), Lambda, DynamoDB, scheduled jobs and stream consumers. */
export class MarketplaceDashboard extends Construct {
  readonly dashboard: Dashboard;

  /** `rows`: more rows after the stream consumers' (the live feed's). */
  constructor(scope: Construct, id: string, props: { resources: MonitoredResources; rows?: IWidget[][] }) {
    super(scope, id);
    const { resources } = props;
    const { stage, distribution, table, streamConsumers, jobs } = resources;
    const perMinute = { period: oneMinute };

    const graph = (title: string, left: IMetric[], right: IMetric[] = [], stacked = false): IWidget =>
      new GraphWidget({ title, left, right, width, height, stacked });

    const functionMetric = (metricName: string, statistic: string) =>
      resources.functions.map(({ id: functionId, function: fn }) =>
        fn.metric(metricName, { ...perMinute, statistic, label: functionId }));

    /** The functions' own embedded metrics (functions/observability). */
    const own = (metricName: string, statistic = 'Sum') => new Metric({
      namespace: metricsNamespace, metricName, dimensionsMap: { service: serviceName }, statistic, label: metricName, ...perMinute,
    });
    /** One line per value of a dimension the metric has besides `service`. */
    const byDimension = (metricName: string, dimension: string) => new MathExpression({
      expression: `SEARCH('{${metricsNamespace},${dimension},service} MetricName="${metricName}"', 'Sum', 60)`,
      label: `${metricName} by ${dimension}`, usingMetrics: {}, ...perMinute,
    });

    const accountLambda = (metricName: string) =>
      new Metric({ namespace: 'AWS/Lambda', metricName, statistic: 'Maximum', label: `account ${metricName}`, ...perMinute });

    const waf = (metricName: string) => new Metric({
      namespace: 'AWS/WAFV2',
      metricName,
      dimensionsMap: { WebACL: resources.webAclMetricName, Rule: 'ALL' },
      statistic: 'Sum',
      label: metricName,
      ...perMinute,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: Stack.of(this).stackName,
      widgets: [
        [new TextWidget({ markdown: `# ${Stack.of(this).stackName}\nEdge → API → Lambda → DynamoDB, one-minute periods.`, width: 24, height: 1 })],
        [
          graph('CloudFront requests and error rates (%)',
            [distribution.metricRequests({ ...perMinute, statistic: 'Sum' })],
            [distribution.metric4xxErrorRate(perMinute), distribution.metric5xxErrorRate(perMinute)]),
          graph('CloudFront cache hit rate (%) and WAF',
            [distribution.metricCacheHitRate(perMinute)],
            [waf('AllowedRequests'), waf('BlockedRequests')]),
        ],
        [
          graph('API requests, 4xx, 5xx',
            [stage.metricCount({ ...perMinute, statistic: 'Sum' })],
            [stage.metricClientError({ ...perMinute, statistic: 'Sum' }), stage.metricServerError({ ...perMinute, statistic: 'Sum' })]),
          graph('API latency (ms): p50, p99, integration p99',
            [
              stage.metricLatency({ ...perMinute, statistic: 'p50', label: 'p50' }),
              stage.metricLatency({ ...perMinute, statistic: 'p99', label: 'p99' }),
              stage.metricIntegrationLatency({ ...perMinute, statistic: 'p99', label: 'integration p99' }),
            ]),
        ],
        [
          graph('p50 latency by route (ms)', resources.routes.map((route) => routeMetric(resources, route, 'Latency', { ...perMinute, statistic: 'p50' }))),
          graph('p99 latency by route (ms)', resources.routes.map((route) => routeMetric(resources, route, 'Latency', { ...perMinute, statistic: 'p99' }))),
        ],
        [
          graph('Requests by route', resources.routes.map((route) => routeMetric(resources, route, 'Count', { ...perMinute, statistic: 'Sum' })), [], true),
          graph('5xx by route', resources.routes.map((route) => routeMetric(resources, route, '5xx', { ...perMinute, statistic: 'Sum' })), [], true),
        ],
        [
          graph('Trading: sales and mints; volume (minor units)',
            [own(metricNames.sales), own(metricNames.mints)], [own(metricNames.salesVolume)]),
          graph('409s by code; optimistic retries', [byDimension(metricNames.conflicts, 'code')], [own(metricNames.optimisticRetries)]),
        ],
        [
          graph('Read cache hits and misses; stream lag (ms, max)',
            [own(metricNames.readCacheHits), own(metricNames.readCacheMisses)], [own(metricNames.streamLag, 'Maximum')]),
          graph('Cold starts by function', [byDimension('ColdStart', 'function_name')]),
        ],
        [
          graph('Lambda concurrency by function (max)', functionMetric('ConcurrentExecutions', 'Maximum'),
            [accountLambda('ConcurrentExecutions'), accountLambda('UnreservedConcurrentExecutions')]),
          graph('Lambda throttles and errors by function', functionMetric('Throttles', 'Sum'), functionMetric('Errors', 'Sum')),
        ],
        [
          graph('Lambda duration p99 by function (ms)', functionMetric('Duration', 'p99')),
          graph('Lambda invocations by function', functionMetric('Invocations', 'Sum'), [], true),
        ],
        [
          graph('DynamoDB consumed capacity (units per minute)',
            tableAndIndexMetrics(table, 'ConsumedReadCapacityUnits', { ...perMinute, statistic: 'Sum' }),
            tableAndIndexMetrics(table, 'ConsumedWriteCapacityUnits', { ...perMinute, statistic: 'Sum' })),
          graph('DynamoDB throttle events',
            tableAndIndexMetrics(table, 'ReadThrottleEvents', { ...perMinute, statistic: 'Sum' }),
            tableAndIndexMetrics(table, 'WriteThrottleEvents', { ...perMinute, statistic: 'Sum' })),
        ],
        ...(jobs.length === 0 ? [] : [[
          graph('Scheduled jobs: item failures by job; runs and failed runs',
            [byDimension(metricNames.jobItemFailures, 'job')],
            jobs.flatMap(({ id: jobId, function: fn }) => [
              fn.metricInvocations({ ...perMinute, statistic: 'Sum', label: `${jobId} runs` }),
              fn.metricErrors({ ...perMinute, statistic: 'Sum', label: `${jobId} failed runs` }),
            ])),
          graph('Scheduled jobs: on-failure queue depth',
            jobs.map(({ id: jobId, failureQueue }) =>
              failureQueue.metricApproximateNumberOfMessagesVisible({ ...perMinute, statistic: 'Maximum', label: `${jobId} on-failure queue` }))),
        ]]),
        ...(streamConsumers.length === 0 ? [] : [[
          graph('Stream consumer iterator age (ms, max)',
            streamConsumers.map(({ id: consumerId, function: fn }) => fn.metric('IteratorAge', { ...perMinute, statistic: 'Maximum', label: consumerId }))),
          graph('Stream consumer invocations and errors; on-failure queue depth',
            streamConsumers.flatMap(({ id: consumerId, function: fn }) => [
              fn.metricInvocations({ ...perMinute, statistic: 'Sum', label: `${consumerId} invocations` }),
              fn.metricErrors({ ...perMinute, statistic: 'Sum', label: `${consumerId} errors` }),
            ]),
            streamConsumers.map(({ id: consumerId, failureQueue }) =>
              failureQueue.metricApproximateNumberOfMessagesVisible({ ...perMinute, statistic: 'Maximum', label: `${consumerId} on-failure queue` }))),
        ]]),
        ...(props.rows ?? []),
      ],
    });
  }
}
