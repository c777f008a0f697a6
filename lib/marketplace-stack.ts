import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { fallbackRoute, routes as routeTable, type Route } from '../functions/routes.js';
import type { StreamConsumer } from '../functions/stream-consumers.js';
import { deployableJobs, type Job } from './jobs.js';
import { MarketplaceAlarms } from './marketplace-alarms.js';
import { MarketplaceApi } from './marketplace-api.js';
import { MarketplaceBudget } from './marketplace-budget.js';
import { MarketplaceDashboard } from './marketplace-dashboard.js';
import { MarketplaceEdge } from './marketplace-edge.js';
import { LiveFeed } from './live-feed.js';
import { IdempotencyTable, MarketplaceTable } from './marketplace-table.js';
import { MarketplaceUserPool } from './marketplace-user-pool.js';
import type { MonitoredResources } from './monitored-resources.js';
import { OriginSecret } from './origin-secret.js';
import { Payments } from './payments.js';
import { SafeDeploys } from './safe-deploys.js';
import { ScheduledJobs } from './scheduled-jobs.js';
import type { StageConfig } from './stage-config.js';
import { deployableStreamConsumers, StreamConsumers } from './stream-consumers.js';

export interface MarketplaceStackProps extends StackProps {
  config: StageConfig;
  /** Defaults to the route table; tests pass variants. */
  routes?: readonly Route[];
  /** Defaults to lib/jobs.ts; either way only the jobs whose handler file exists are deployed. */
  jobs?: readonly Job[];
  /** Defaults to functions/stream-consumers.ts; either way only the consumers whose handler file exists. */
  streamConsumers?: readonly StreamConsumer[];
}

/** Names the stack of a stage, so staging and prod can live in one account. */
export const stackName = (config: StageConfig) => `Marketplace-${config.stage}`;

/** Output keys (docs/deploy.md reads them with `aws cloudformation describe-stacks`). */
export const outputKeys = {
  cloudFrontUrl: 'CloudFrontUrl',
  apiOriginUrl: 'ApiOriginUrl',
  originSecretArn: 'OriginSecretArn',
  userPoolId: 'UserPoolId',
  userPoolClientId: 'UserPoolClientId',
  tableName: 'TableName',
  alarmTopicArn: 'AlarmTopicArn',
  feedRealtimeUrl: 'FeedRealtimeUrl',
  feedHttpUrl: 'FeedHttpUrl',
} as const;

/** The output key of a stream consumer's or job's on-failure queue URL: `AggregateMarketFailureQueueUrl`. */
export const failureQueueOutputKey = (consumerId: string) => `${consumerId[0]!.toUpperCase()}${consumerId.slice(1)}FailureQueueUrl`;

/** One stage of the marketplace: table, users, functions and API, edge, jobs, stream consumers, dashboard and alarms. */
export class MarketplaceStack extends Stack {
  readonly table: MarketplaceTable;
  readonly idempotencyTable: IdempotencyTable;
  readonly users: MarketplaceUserPool;
  readonly api: MarketplaceApi;
  readonly edge: MarketplaceEdge;
  readonly jobs: ScheduledJobs;
  readonly streams: StreamConsumers;
  readonly alarms: MarketplaceAlarms;
  readonly deploys: SafeDeploys;
  /** The live market feed, when its publisher is deployed. */
  readonly feed: LiveFeed | undefined;

  constructor(scope: Construct, id: string, props: MarketplaceStackProps) {
    super(scope, id, {
      description: `NFT marketplace backend (${props.config.stage}): CloudFront + WAF, HTTP API, Lambda, DynamoDB, Cognito`,
      terminationProtection: props.config.terminationProtection,
      ...props,
    });
    const { config } = props;
    const routes = props.routes ?? routeTable;
    Tags.of(this).add('project', 'nft-marketplace');
    Tags.of(this).add('stage', config.stage);

    this.table = new MarketplaceTable(this, 'Table', { config });
    this.idempotencyTable = new IdempotencyTable(this, 'IdempotencyTable', { config });
    this.users = new MarketplaceUserPool(this, 'Users', { config });
    const originSecret = new OriginSecret(this, 'OriginSecret', { config });
    this.api = new MarketplaceApi(this, 'Api', {
      config, table: this.table, idempotencyTable: this.idempotencyTable, users: this.users, originSecret: originSecret.secret, routes,
    });
    this.edge = new MarketplaceEdge(this, 'Edge', {
      config, routes, apiDomain: this.api.originDomain, originSecretValue: originSecret.headerValue,
    });
    // The functions refuse requests without CloudFront's header: they change only once CloudFront sends it, so the
    // deploy that introduces (or changes) the check never refuses CloudFront's own requests.
    for (const fn of [this.api.fallback, ...this.api.routes.map(({ handler }) => handler)]) fn.function.node.addDependency(this.edge.distribution);
    this.jobs = new ScheduledJobs(this, 'Jobs', { config, table: this.table, jobs: deployableJobs(props.jobs) });
    this.streams = new StreamConsumers(this, 'Streams', {
      config,
      table: this.table,
      consumers: deployableStreamConsumers(props.streamConsumers),
    });
    const streamConsumers = this.streams.consumers.map(({ consumer, handler, failureQueue }) =>
      ({ id: consumer.id, function: handler.function, failureQueue }));
    const jobs = this.jobs.jobs.map(({ job, handler, failureQueue }) => ({ id: job.id, function: handler.function, failureQueue }));

    const apiFunctions = [
      ...this.api.routes.map(({ route, handler }) => ({ id: route.id, handler })),
      { id: fallbackRoute.id, handler: this.api.fallback },
    ];
    const liveAliases = apiFunctions.map(({ id: functionId, handler }) => ({ id: functionId, alias: handler.live! }));
    const payments = new Payments(this, 'Payments', { config, table: this.table, functions: new Map(this.api.routes.map(({ route, handler }) => [route.id, handler])) });
    const resources: MonitoredResources = {
      httpApi: this.api.httpApi,
      stage: this.api.stage,
      routes,
      functions: [
        ...apiFunctions.map(({ id: functionId, handler }) => ({ id: functionId, function: handler.function })),
        ...jobs,
        ...streamConsumers,
        { id: 'payOut', function: payments.payOut.function },
      ],
      liveAliases,
      streamConsumers,
      jobs,
      table: this.table,
      distribution: this.edge.distribution,
      webAclMetricName: this.edge.webAcl.metricName,
    };
    this.alarms = new MarketplaceAlarms(this, 'Alarms', { resources, thresholds: config.alarms });
    this.deploys = new SafeDeploys(this, 'Deploys', {
      config, functions: liveAliases, rollbackAlarms: (functionId) => this.alarms.rollbackAlarms(functionId),
    });
    const publisher = this.streams.consumers.find(({ consumer }) => consumer.id === 'publishFeed');
    this.feed = publisher ? new LiveFeed(this, 'LiveFeed', { users: this.users, publisher, topic: this.alarms.topic }) : undefined;
    new MarketplaceDashboard(this, 'Dashboard', { resources, rows: this.feed ? [this.feed.dashboardRow()] : [] });
    new MarketplaceBudget(this, 'Budget', { config, topic: this.alarms.topic });
    payments.notify(this.alarms.topic);

    const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
    output(outputKeys.cloudFrontUrl, `https://${this.edge.distribution.distributionDomainName}`, 'Public base URL: call the API here');
    output(outputKeys.apiOriginUrl, this.api.httpApi.apiEndpoint,
      "Internal, not a client endpoint: CloudFront's origin; it refuses requests without CloudFront's x-origin-verify header (403)");
    output(outputKeys.originSecretArn, originSecret.secret.secretArn, 'The x-origin-verify secret (rotation: docs/deploy.md)');
    output(outputKeys.userPoolId, this.users.userPool.userPoolId, 'Cognito user pool id');
    output(outputKeys.userPoolClientId, this.users.client.userPoolClientId, 'Cognito app client id (the JWT audience)');
    output(outputKeys.tableName, this.table.tableName, 'DynamoDB table');
    output(outputKeys.alarmTopicArn, this.alarms.topic.topicArn, 'SNS topic the alarms notify: subscribe the on-call address');
    if (this.feed) {
      output(outputKeys.feedRealtimeUrl, this.feed.realtimeUrl, 'Live feed WebSocket (AppSync Events): subscribe with a Cognito token (docs/live-feed.md)');
      output(outputKeys.feedHttpUrl, this.feed.httpUrl, "Live feed's AppSync Events HTTP endpoint: the host a subscriber names in its auth headers");
    }
    for (const { consumer, failureQueue } of this.streams.consumers) {
      output(failureQueueOutputKey(consumer.id), failureQueue.queueUrl, `Stream batches ${consumer.id} gave up on (shard and sequence range)`);
    }
    for (const { job, failureQueue } of this.jobs.jobs) {
      output(failureQueueOutputKey(job.id), failureQueue.queueUrl, `Failed runs of ${job.id} (the error names the items it failed on)`);
    }
  }
}
