// The HTTP API in the synthesized template: every row of the route table, with its function, integration,
// authorizer and throttle; the $default fallback; no local-only route.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fallbackRoute, routeKey, routes } from '../../functions/routes.js';
import { deployableJobs } from '../../lib/jobs.js';
import { liveAliasName } from '../../lib/marketplace-function.js';
import { stageConfigs, type StageName } from '../../lib/stage-config.js';
import { deployableStreamConsumers } from '../../lib/stream-consumers.js';
import { apiRoute, resource, resources, routeFunction, referencedId, stage } from './support/synth.js';

const stages = { staging: stage('staging'), prod: stage('prod') };

describe('routes', () => {
  const { template } = stages.staging;
  const [authorizerId, authorizer] = resources(template, 'AWS::ApiGatewayV2::Authorizer')[0]!;

  test('the API has exactly the route table plus $default', () => {
    const keys = resources(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!.RouteKey as string).sort();
    assert.deepEqual(keys, [...routes.map(routeKey), '$default'].sort());
  });

  for (const route of routes) {
    test(`${routeKey(route)}: its own function, a Lambda proxy integration (payload 2.0), ${route.auth === 'user' ? 'the JWT authorizer' : 'no authorizer'}`, () => {
      const [, apiRouteResource] = apiRoute(template, routeKey(route));
      const { integrationId, functionId } = routeFunction(template, routeKey(route));
      const integration = resource(template, integrationId).Properties!;
      assert.equal(integration.IntegrationType, 'AWS_PROXY');
      assert.equal(integration.PayloadFormatVersion, '2.0');
      const fn = resource(template, functionId).Properties!;
      assert.ok((fn.Description as string).startsWith(`${routeKey(route)}: `), `function of ${route.id} is described as ${fn.Description}`);
      assert.ok(functionId.includes(route.id), `${functionId} is ${route.id}'s function`);
      if (route.auth === 'user') {
        assert.equal(apiRouteResource.Properties!.AuthorizationType, 'JWT');
        assert.equal(referencedId(apiRouteResource.Properties!.AuthorizerId), authorizerId);
      } else {
        assert.equal(apiRouteResource.Properties!.AuthorizationType, 'NONE');
        assert.equal(apiRouteResource.Properties!.AuthorizerId, undefined);
      }
    });
  }

  test('browsers on other origins get a CORS preflight answer that allows the headers the API reads', () => {
    const [, api] = resources(template, 'AWS::ApiGatewayV2::Api')[0]!;
    const cors = api.Properties!.CorsConfiguration as { AllowOrigins: string[]; AllowHeaders: string[]; ExposeHeaders: string[] };
    assert.deepEqual(cors.AllowOrigins, ['*']);
    assert.deepEqual([...cors.AllowHeaders].sort(), ['authorization', 'content-type', 'idempotency-key']);
    assert.deepEqual(cors.ExposeHeaders, ['retry-after']);
  });

  test('twin routes (one handler module) are separate functions', () => {
    const functionIds = routes.map((route) => routeFunction(template, routeKey(route)).functionId);
    assert.equal(new Set(functionIds).size, routes.length);
    assert.ok(routes.some((route) => routes.some((other) => other !== route && other.handler === route.handler)), 'the table has twins');
  });

  test('$default goes to the not-found function, without an authorizer', () => {
    const [, route] = apiRoute(template, '$default');
    assert.equal(route.Properties!.AuthorizationType, 'NONE');
    const { functionId } = routeFunction(template, '$default');
    assert.ok(functionId.includes(fallbackRoute.id));
  });

  test('the authorizer checks Cognito tokens of the app client', () => {
    const props = authorizer.Properties!;
    assert.equal(props.AuthorizerType, 'JWT');
    assert.deepEqual(props.IdentitySource, ['$request.header.Authorization']);
    const [poolId] = resources(template, 'AWS::Cognito::UserPool')[0]!;
    const [clientId, client] = resources(template, 'AWS::Cognito::UserPoolClient')[0]!;
    assert.deepEqual(props.JwtConfiguration.Audience, [{ Ref: clientId }]);
    assert.deepEqual(props.JwtConfiguration.Issuer, { 'Fn::Join': ['', ['https://cognito-idp.us-east-1.amazonaws.com/', { Ref: poolId }]] });
    assert.equal(client.Properties!.GenerateSecret, false);
  });

  test('the app client signs in with SRP everywhere, with a plain password on staging only', () => {
    for (const stageName of ['staging', 'prod'] as StageName[]) {
      const [, client] = resources(stages[stageName].template, 'AWS::Cognito::UserPoolClient')[0]!;
      const flows = [...client.Properties!.ExplicitAuthFlows].sort();
      const expected = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', ...(stageName === 'staging' ? ['ALLOW_USER_PASSWORD_AUTH'] : [])].sort();
      assert.deepEqual(flows, expected, stageName);
    }
    assert.equal(stageConfigs.prod.userPasswordAuth, false);
  });

  test('the app client has no OAuth: no implicit flow, no callback URL (CDK\'s default is https://example.com)', () => {
    for (const stageName of ['staging', 'prod'] as StageName[]) {
      const [, client] = resources(stages[stageName].template, 'AWS::Cognito::UserPoolClient')[0]!;
      assert.equal(client.Properties!.AllowedOAuthFlows, undefined, stageName);
      assert.notEqual(client.Properties!.AllowedOAuthFlowsUserPoolClient, true, stageName);
      assert.equal(client.Properties!.CallbackURLs, undefined, stageName);
      assert.ok(!JSON.stringify(client).includes('example.com'), stageName);
    }
  });

  test('the creators group exists', () => {
    const groups = resources(template, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties!.GroupName);
    assert.deepEqual(groups, ['creators']);
  });

  test('no local-only route or resource (/local/token, /openapi.json) reaches the stack', () => {
    const text = JSON.stringify(template.toJSON());
    assert.ok(!text.includes('/local/token'), 'mentions /local/token');
    assert.ok(!text.includes('/local'), 'mentions /local');
    assert.ok(!text.includes('openapi.json'), 'mentions openapi.json');
  });
});

describe('stage throttles and logs', () => {
  for (const stageName of ['staging', 'prod'] as StageName[]) {
    const { template } = stages[stageName];
    const config = stageConfigs[stageName];
    const [, stage] = resources(template, 'AWS::ApiGatewayV2::Stage')[0]!;
    const props = stage.Properties!;

    test(`${stageName}: the $default stage deploys itself with the stage's default throttle`, () => {
      assert.equal(props.StageName, '$default');
      assert.equal(props.AutoDeploy, true);
      assert.deepEqual(props.DefaultRouteSettings, {
        DetailedMetricsEnabled: true,
        ThrottlingRateLimit: config.throttle.default.rateLimit,
        ThrottlingBurstLimit: config.throttle.default.burstLimit,
      });
    });

    test(`${stageName}: every route is throttled by its class, and the stage waits for the routes`, () => {
      assert.deepEqual(Object.keys(props.RouteSettings).sort(), routes.map(routeKey).sort());
      for (const route of routes) {
        const throttle = config.throttle.classes[route.throttle];
        assert.deepEqual(props.RouteSettings[routeKey(route)], {
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
          DetailedMetricsEnabled: true,
        }, routeKey(route));
        assert.ok(stage.DependsOn?.includes(apiRoute(template, routeKey(route))[0]), `stage depends on ${routeKey(route)}`);
      }
    });

    test(`${stageName}: access logs go to a log group kept ${config.logRetentionDays} days`, () => {
      const logGroup = resource(template, referencedId(props.AccessLogSettings.DestinationArn));
      assert.equal(logGroup.Type, 'AWS::Logs::LogGroup');
      assert.equal(logGroup.Properties!.RetentionInDays, config.logRetentionDays);
      assert.match(props.AccessLogSettings.Format, /\$context\.requestId/);
      assert.doesNotThrow(() => JSON.parse(props.AccessLogSettings.Format));
    });
  }

  test("each stage's template carries its own config's default throttle", () => {
    for (const stageName of ['staging', 'prod'] as StageName[]) {
      const settings = resources(stages[stageName].template, 'AWS::ApiGatewayV2::Stage')[0]![1].Properties!.DefaultRouteSettings;
      assert.equal(settings.ThrottlingRateLimit, stageConfigs[stageName].throttle.default.rateLimit, stageName);
      assert.equal(settings.ThrottlingBurstLimit, stageConfigs[stageName].throttle.default.burstLimit, stageName);
    }
  });

  test('staging can carry a 10,000-user load test of the seed mix (capacity model: ~1,800 user reads/s, ~2,600 public reads/s)', () => {
    const { classes } = stageConfigs.staging.throttle;
    assert.ok(classes['user-read'].rateLimit >= 1_800);
    assert.ok(classes['public-read'].rateLimit >= 2_600);
  });
});

describe('safe deploys: every API function behind a live alias that CodeDeploy moves', () => {
  const apiKeys = [...routes.map(routeKey), '$default'];
  const deploymentConfigs = { staging: 'CodeDeployDefault.LambdaAllAtOnce', prod: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' };

  for (const stageName of ['staging', 'prod'] as StageName[]) {
    const { template, stackName } = stages[stageName];
    const alarmName = (id: string) => {
      const found = resources(template, 'AWS::CloudWatch::Alarm').find(([, alarm]) => alarm.Properties!.AlarmName === `${stackName}-${id}`);
      assert.ok(found, id);
      return found[0];
    };

    test(`${stageName}: the API invokes each function's live alias, on the version CloudFormation publishes`, () => {
      for (const key of apiKeys) {
        const { aliasId, functionId } = routeFunction(template, key);
        const alias = resource(template, aliasId).Properties!;
        assert.equal(alias.Name, liveAliasName, key);
        const version = resource(template, referencedId(alias.FunctionVersion));
        assert.equal(version.Type, 'AWS::Lambda::Version', key);
        assert.deepEqual(version.Properties!.FunctionName, { Ref: functionId }, key);
      }
      const permissions = resources(template, 'AWS::Lambda::Permission')
        .filter(([, permission]) => permission.Properties!.Principal === 'apigateway.amazonaws.com');
      for (const [id, permission] of permissions) {
        assert.equal(resource(template, referencedId(permission.Properties!.FunctionName)).Type, 'AWS::Lambda::Alias', `${id}: API Gateway may invoke the alias only`);
      }
    });

    test(`${stageName}: a CodeDeploy deployment group per API function (${stageConfigs[stageName].deploymentConfig}), rolling back on the API 5xx rate, p99 latency and the function's errors`, () => {
      const groups = resources(template, 'AWS::CodeDeploy::DeploymentGroup');
      assert.equal(groups.length, apiKeys.length);
      const [applicationId] = resources(template, 'AWS::CodeDeploy::Application')[0]!;
      for (const key of apiKeys) {
        const { aliasId, functionId } = routeFunction(template, key);
        const update = resource(template, aliasId) as { UpdatePolicy?: { CodeDeployLambdaAliasUpdate: { ApplicationName: unknown; DeploymentGroupName: unknown } } };
        const policy = update.UpdatePolicy!.CodeDeployLambdaAliasUpdate;
        assert.deepEqual(policy.ApplicationName, { Ref: applicationId }, key);
        const group = resource(template, referencedId(policy.DeploymentGroupName)).Properties!;
        assert.equal(group.DeploymentConfigName, deploymentConfigs[stageName], key);
        assert.deepEqual(group.DeploymentStyle, { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' });
        assert.equal(group.AutoRollbackConfiguration.Enabled, true);
        assert.ok(group.AutoRollbackConfiguration.Events.includes('DEPLOYMENT_STOP_ON_ALARM'), key);
        assert.ok(group.AutoRollbackConfiguration.Events.includes('DEPLOYMENT_FAILURE'), key);
        assert.equal(group.AlarmConfiguration.Enabled, true);
        const ownAlarm = resources(template, 'AWS::CloudWatch::Alarm').find(([, alarm]) =>
          (alarm.Properties!.AlarmName as string).endsWith('LiveErrors')
          && JSON.stringify(alarm.Properties!.Metrics).includes(JSON.stringify({ Ref: functionId })))!;
        assert.ok(ownAlarm, `${key}: its own errors alarm`);
        assert.deepEqual(group.AlarmConfiguration.Alarms.map((alarm: { Name: unknown }) => referencedId(alarm.Name)).sort(),
          [alarmName('Api5xxRate'), alarmName('ApiP99Latency'), ownAlarm[0]].sort(), key);
      }
    });
  }

  test('prod shifts 10 % for 5 minutes first; staging all at once', () => {
    assert.equal(stageConfigs.prod.deploymentConfig, 'CANARY_10PERCENT_5MINUTES');
    assert.equal(stageConfigs.staging.deploymentConfig, 'ALL_AT_ONCE');
  });

  test('jobs, stream consumers and the payout consumer have no alias or deployment group (nothing calls them through one)', () => {
    const { template } = stages.prod;
    assert.equal(resources(template, 'AWS::Lambda::Alias').length, apiKeys.length);
    const payoutConsumer = 1; // lib/payments.ts
    assert.equal(resources(template, 'AWS::Lambda::Function').length, apiKeys.length + deployableJobs().length + deployableStreamConsumers().length + payoutConsumer);
  });

  test('one CodeDeploy role for every group, with AWS\'s policy for Lambda deployments only', () => {
    const { template } = stages.prod;
    const roleIds = new Set(resources(template, 'AWS::CodeDeploy::DeploymentGroup').map(([, group]) => referencedId(group.Properties!.ServiceRoleArn)));
    assert.equal(roleIds.size, 1);
    const role = resource(template, [...roleIds][0]!).Properties!;
    assert.match(JSON.stringify(role.AssumeRolePolicyDocument), /codedeploy\.amazonaws\.com/);
    assert.equal(role.ManagedPolicyArns.length, 1);
    assert.match(JSON.stringify(role.ManagedPolicyArns[0]), /service-role\/AWSCodeDeployRoleForLambdaLimited/);
  });

  test('the stack stays under CloudFormation\'s 500 resources in both stages', (t) => {
    for (const stageName of ['staging', 'prod'] as StageName[]) {
      const count = Object.keys(stages[stageName].template.toJSON().Resources).length;
      t.diagnostic(`${stageName}: ${count} resources`);
      assert.ok(count < 500, `${stageName}: ${count}`);
    }
  });
});
