import { Stack } from 'aws-cdk-lib';
import { AppSyncAuthorizationType, ChannelNamespace, Code, EventApi } from 'aws-cdk-lib/aws-appsync';
import { Alarm, ComparisonOperator, GraphWidget, Metric, TreatMissingData, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { metricNames, metricsNamespace } from '../functions/observability/metric-names.js';
import { serviceName } from './marketplace-function.js';
import type { MarketplaceUserPool } from './marketplace-user-pool.js';
import { fiveMinutes, oneMinute } from './monitored-resources.js';
import type { StreamConsumerFunction } from './stream-consumers.js';

/**
 * Only the token's subject may subscribe to `/users/<sub>` (AppSync runs this after the Cognito check, which has
 * already refused a forged or expired token). docs/live-feed.md.
 */
const ownChannelOnly = `import { util } from '@aws-appsync/utils';

export function onSubscribe(ctx) {
  if (ctx.info.channel.path !== \`/users/\${ctx.identity.sub}\`) {
    util.unauthorized();
  }
}
`;

/**
 * The live market feed (docs/live-feed.md): an AppSync Events API whose clients subscribe with the marketplace's
 * Cognito tokens, and which only the feed publisher (the `publishFeed` stream consumer) may publish to, with IAM.
 * Namespaces: `market` (`/market/all`, `/market/collections/<id>`) and `users` (`/users/<sub>`, own only).
 * The publisher's stream wiring, on-failure queue, error and iterator-age alarms come with it as a stream consumer
 * (lib/stream-consumers.ts, lib/marketplace-alarms.ts); this adds the API, its grant, a publish-failure alarm and
 * a dashboard row.
 */
export class LiveFeed extends Construct {
  readonly api: EventApi;
  readonly realtimeUrl: string;
  readonly httpUrl: string;
  readonly publishFailures: Alarm;

  constructor(scope: Construct, id: string, props: { users: MarketplaceUserPool; publisher: StreamConsumerFunction; topic: ITopic }) {
    super(scope, id);
    const { users, publisher } = props;
    const cognito = { authorizationType: AppSyncAuthorizationType.USER_POOL, cognitoConfig: { userPool: users.userPool } };
    const iam = { authorizationType: AppSyncAuthorizationType.IAM };
    this.api = new EventApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-feed`,
      authorizationConfig: {
        authProviders: [cognito, iam],
        connectionAuthModeTypes: [AppSyncAuthorizationType.USER_POOL, AppSyncAuthorizationType.IAM],
        defaultSubscribeAuthModeTypes: [AppSyncAuthorizationType.USER_POOL],
        defaultPublishAuthModeTypes: [AppSyncAuthorizationType.IAM],
      },
    });
    const market = new ChannelNamespace(this, 'Market', { api: this.api, channelNamespaceName: 'market' });
    const own = new ChannelNamespace(this, 'Users', { api: this.api, channelNamespaceName: 'users', code: Code.fromInline(ownChannelOnly) });
    for (const namespace of [market, own]) namespace.grantPublish(publisher.handler.function);

    this.httpUrl = `https://${this.api.httpDns}`;
    this.realtimeUrl = `wss://${this.api.realtimeDns}/event/realtime`;
    publisher.handler.function.addEnvironment('FEED_HTTP_URL', this.httpUrl);

    this.publishFailures = new Alarm(this, 'PublishFailures', {
      alarmName: `${Stack.of(this).stackName}-LiveFeedPublishFailures`,
      alarmDescription: 'The feed publisher could not sequence or publish a channel\'s events in 3 of 5 minutes: subscribers wait (their batches are retried; docs/live-feed.md)',
      metric: this.ownMetric(metricNames.feedPublishFailures),
      threshold: 1,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.publishFailures.addAlarmAction(new SnsAction(props.topic));
    this.publishFailures.addOkAction(new SnsAction(props.topic));
  }

  private ownMetric(metricName: string): Metric {
    return new Metric({ namespace: metricsNamespace, metricName, dimensionsMap: { service: serviceName }, statistic: 'Sum', period: oneMinute, label: metricName });
  }

  /** The dashboard's live-feed row: events published and failed, AppSync's publish errors. */
  dashboardRow(): IWidget[] {
    const appSync = (metricName: string) => new Metric({
      namespace: 'AWS/AppSync', metricName, dimensionsMap: { EventAPIId: this.api.apiId }, statistic: 'Sum', period: fiveMinutes, label: `publish ${metricName}`,
    });
    return [
      new GraphWidget({ title: 'Live feed: events published; channels that failed', left: [this.ownMetric(metricNames.feedEventsPublished)], right: [this.ownMetric(metricNames.feedPublishFailures)], width: 12, height: 6 }),
      new GraphWidget({ title: 'Live feed: AppSync publish errors', left: [appSync('4XXError'), appSync('5XXError')], width: 12, height: 6 }),
    ];
  }
}
