// The live feed's AppSync Events API (lib/live-feed.ts): auth modes, the own-channel-only subscribe handler, the
// publisher's IAM grant and environment, its stream wiring, alarms and outputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamConsumers } from '../../functions/stream-consumers.js';
import { outputKeys } from '../../lib/marketplace-stack.js';
import { referencedId, resource, resources, stage } from './support/synth.js';

const { template } = stage('staging');
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: any }>; Outputs: Record<string, any> };
const [apiId, api] = resources(template, 'AWS::AppSync::Api')[0]!;
const namespaces = resources(template, 'AWS::AppSync::ChannelNamespace');
const [userPoolId] = resources(template, 'AWS::Cognito::UserPool')[0]!;
const publisherMapping = resources(template, 'AWS::Lambda::EventSourceMapping')
  .find(([, mapping]) => referencedId(mapping.Properties!.FunctionName).includes('publishFeed'));

test('one event API: Cognito (this stack\'s user pool) to connect and subscribe, IAM to publish, no API key', () => {
  assert.equal(resources(template, 'AWS::AppSync::Api').length, 1);
  assert.equal(resources(template, 'AWS::AppSync::ApiKey').length, 0);
  const config = api.Properties!.EventConfig;
  const modes = (list: { AuthType: string }[]) => list.map((m) => m.AuthType).sort();
  assert.deepEqual(modes(config.AuthProviders), ['AMAZON_COGNITO_USER_POOLS', 'AWS_IAM']);
  const cognito = config.AuthProviders.find((p: { AuthType: string }) => p.AuthType === 'AMAZON_COGNITO_USER_POOLS');
  assert.equal(referencedId(cognito.CognitoConfig.UserPoolId), userPoolId);
  assert.deepEqual(modes(config.DefaultSubscribeAuthModes), ['AMAZON_COGNITO_USER_POOLS']);
  assert.deepEqual(modes(config.DefaultPublishAuthModes), ['AWS_IAM'], 'no client can publish');
});

test('two namespaces; a user\'s channel is subscribable by its own subject only', () => {
  assert.deepEqual(namespaces.map(([, ns]) => ns.Properties!.Name).sort(), ['market', 'users']);
  for (const [, ns] of namespaces) assert.equal(referencedId(ns.Properties!.ApiId), apiId);
  const users = namespaces.find(([, ns]) => ns.Properties!.Name === 'users')![1];
  const code = users.Properties!.CodeHandlers as string;
  assert.match(code, /export function onSubscribe\(ctx\)/);
  assert.match(code, /ctx\.info\.channel\.path !== `\/users\/\$\{ctx\.identity\.sub\}`/);
  assert.match(code, /util\.unauthorized\(\)/);
  const market = namespaces.find(([, ns]) => ns.Properties!.Name === 'market')![1];
  assert.equal(market.Properties!.CodeHandlers, undefined, 'public channels: any signed-in user');
});

test('the publisher reads the table stream (activity, collection and auction changes) and may publish, nothing more on AppSync', () => {
  assert.ok(publisherMapping, 'an event source mapping for publishFeed');
  const consumer = streamConsumers.find((c) => c.id === 'publishFeed')!;
  const mapping = publisherMapping[1].Properties!;
  assert.equal(mapping.MaximumBatchingWindowInSeconds ?? 0, 0, 'no batching delay before delivery');
  assert.deepEqual(mapping.FunctionResponseTypes, ['ReportBatchItemFailures']);
  const pattern = JSON.parse(mapping.FilterCriteria.Filters[0].Pattern);
  assert.deepEqual(pattern.eventName, consumer.filter.eventNames);
  assert.deepEqual(pattern.dynamodb.NewImage.entity.S, consumer.filter.entities);

  const functionId = referencedId(mapping.FunctionName);
  const fn = resource(template, functionId);
  assert.deepEqual(fn.Properties!.Environment.Variables.FEED_HTTP_URL, { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [apiId, 'Dns.Http'] }]] });
  const roleId = referencedId(fn.Properties!.Role);
  const appSyncActions = Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: unknown) => referencedId(role) === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
    .flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('appsync:'));
  assert.deepEqual([...new Set(appSyncActions)], ['appsync:EventPublish']);
});

test('alarms: publish failures, and (as a stream consumer) iterator age and the on-failure queue', () => {
  const names = resources(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => JSON.stringify(alarm.Properties!.AlarmName));
  for (const name of ['LiveFeedPublishFailures', 'PublishFeedStreamLag', 'PublishFeedStreamFailures']) {
    assert.ok(names.some((n) => n.includes(name)), name);
  }
  const [, failures] = resources(template, 'AWS::CloudWatch::Alarm').find(([, a]) => JSON.stringify(a.Properties!.AlarmName).includes('LiveFeedPublishFailures'))!;
  assert.match(JSON.stringify(failures.Properties!.Metrics), /"MetricName":"FeedPublishFailures"/);
  assert.equal(failures.Properties!.AlarmActions.length, 1);
});

test('outputs: the realtime endpoint and the HTTP host; the dashboard has a live-feed row', () => {
  assert.deepEqual(json.Outputs[outputKeys.feedRealtimeUrl].Value, { 'Fn::Join': ['', ['wss://', { 'Fn::GetAtt': [apiId, 'Dns.Realtime'] }, '/event/realtime']] });
  assert.ok(json.Outputs[outputKeys.feedHttpUrl]);
  const [, dashboard] = resources(template, 'AWS::CloudWatch::Dashboard')[0]!;
  assert.match(JSON.stringify(dashboard.Properties!.DashboardBody), /Live feed: events published/);
});
