// CloudFront and the WAF in the synthesized template.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CachePolicy, OriginRequestPolicy, ResponseHeadersPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { App, Stack } from 'aws-cdk-lib';
import { originVerifyHeader } from '../../functions/http/origin-header.js';
import { cacheControl } from '../../functions/http/responses.js';
import { fallbackRoute, routeKey, routes } from '../../functions/routes.js';
import { matchesPathPattern, pathPatternCharacters } from '../../lib/cloudfront-paths.js';
import {
  behaviourPatterns,
  cacheableRoutes,
  forwardedHeaders,
  maxCacheSeconds,
  sharesPathWithUserRoute,
  stripTrailingSlashSource,
} from '../../lib/marketplace-edge.js';
import { commonRuleSetName, loggedActions, rateLimitRuleName } from '../../lib/marketplace-web-acl.js';
import { OriginSecret, originSecretCacheSeconds } from '../../lib/origin-secret.js';
import { projectPath } from '../../lib/project-paths.js';
import { stageConfigs, type StageName } from '../../lib/stage-config.js';
import { referencedId, resource, resources, roleActions, routeFunction, stage } from './support/synth.js';

const stages = { staging: stage('staging'), prod: stage('prod') };

interface Behaviour {
  PathPattern?: string;
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  ResponseHeadersPolicyId?: unknown;
  AllowedMethods: string[];
  CachedMethods: string[];
  Compress: boolean;
  ViewerProtocolPolicy: string;
  FunctionAssociations: { EventType: string; FunctionARN: unknown }[];
}

function distributionConfig(stageName: StageName) {
  const [[, distribution], ...others] = resources(stages[stageName].template, 'AWS::CloudFront::Distribution');
  assert.equal(others.length, 0, 'one distribution');
  return distribution!.Properties!.DistributionConfig as {
    DefaultCacheBehavior: Behaviour;
    CacheBehaviors: Behaviour[];
    WebACLId: unknown;
    Logging?: unknown;
  };
}

describe('CloudFront', () => {
  const { template } = stages.staging;
  const config = distributionConfig('staging');
  const [functionId, edgeFunction] = resources(template, 'AWS::CloudFront::Function')[0]!;

  test('the default behaviour passes everything through: no cache, all viewer headers but Host, all methods', () => {
    const behaviour = config.DefaultCacheBehavior;
    assert.equal(behaviour.CachePolicyId, CachePolicy.CACHING_DISABLED.cachePolicyId);
    assert.equal(behaviour.OriginRequestPolicyId, OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId);
    assert.deepEqual([...behaviour.AllowedMethods].sort(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    assert.equal(behaviour.ViewerProtocolPolicy, 'https-only');
  });

  test('one cached behaviour per cacheable GET route, for the path with and without the trailing slash, a parameter as *', () => {
    const cacheable = cacheableRoutes(routes);
    assert.ok(cacheable.length > 0);
    const expected = (path: string) => path.replace(/\{[^}]+\}/g, '*');
    assert.deepEqual(
      config.CacheBehaviors.map((behaviour) => behaviour.PathPattern).sort(),
      cacheable.flatMap((route) => [expected(route.path), `${expected(route.path)}/`]).sort(),
    );
    assert.deepEqual(behaviourPatterns({ path: '/market/collections/{collectionId}/depth' }),
      ['/market/collections/*/depth', '/market/collections/*/depth/']);
  });

  test('every path pattern has only the characters CloudFront accepts', () => {
    for (const { PathPattern: pattern } of config.CacheBehaviors) assert.match(pattern!, pathPatternCharacters, pattern);
  });

  test("each cached behaviour takes its route's paths, with or without the slash, and no other route's", () => {
    const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'id-1');
    for (const route of cacheableRoutes(routes)) {
      const patterns = behaviourPatterns(route);
      for (const path of [concrete(route.path), `${concrete(route.path)}/`]) {
        // CloudFront takes the first behaviour that matches, in the distribution's order.
        const first = config.CacheBehaviors.find((behaviour) => matchesPathPattern(behaviour.PathPattern!, path));
        assert.ok(first && patterns.includes(first.PathPattern!), `${path} goes to ${first?.PathPattern}`);
      }
      for (const other of routes.filter((candidate) => candidate.path !== route.path)) {
        for (const path of [concrete(other.path), `${concrete(other.path)}/`]) {
          assert.ok(!patterns.some((pattern) => matchesPathPattern(pattern, path)), `${patterns.join(' ')} takes ${routeKey(other)} (${path})`);
        }
      }
    }
  });

  test('two cache policies shared by every cached route (an account holds 20; staging and prod may share one)', () => {
    assert.equal(resources(template, 'AWS::CloudFront::CachePolicy').length, 2);
    assert.equal(resources(stages.prod.template, 'AWS::CloudFront::CachePolicy').length, 2);
  });

  for (const route of cacheableRoutes(routes)) {
    test(`GET ${route.path}: cached for the answer's max-age (${route.cache.maxAgeSeconds}s), keyed on every query string, compressed`, () => {
      assert.equal(cacheControl(route.cache).match(/max-age=(\d+)/)?.[1], String(route.cache.maxAgeSeconds));
      for (const pattern of behaviourPatterns(route)) {
        const behaviour = config.CacheBehaviors.find((candidate) => candidate.PathPattern === pattern)!;
        assert.ok(behaviour, pattern);
        assert.equal(behaviour.Compress, true);
        assert.deepEqual(behaviour.CachedMethods, ['GET', 'HEAD']);
        assert.equal(behaviour.AllowedMethods.length, 7, 'POST twins share the path');
        assert.equal(behaviour.ViewerProtocolPolicy, 'https-only');
        const policy = resource(template, referencedId(behaviour.CachePolicyId)).Properties!.CachePolicyConfig;
        // No max-age, no caching; the answer's max-age decides, up to the longest route's.
        assert.equal(policy.DefaultTTL, 0);
        assert.equal(policy.MinTTL, 0, 'origin no-store is honoured');
        assert.equal(policy.MaxTTL, maxCacheSeconds(routes));
        assert.ok(policy.MaxTTL >= route.cache.maxAgeSeconds);
        const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
        assert.deepEqual(key.QueryStringsConfig, { QueryStringBehavior: 'all' });
        assert.equal(key.CookiesConfig.CookieBehavior, 'none');
        assert.equal(key.EnableAcceptEncodingGzip, true);
        assert.equal(key.EnableAcceptEncodingBrotli, true);
        if (sharesPathWithUserRoute(route, routes)) {
          assert.deepEqual(key.HeadersConfig, { HeaderBehavior: 'whitelist', Headers: ['authorization'] });
        } else {
          assert.deepEqual(key.HeadersConfig, { HeaderBehavior: 'none' });
        }
        const originRequest = resource(template, referencedId(behaviour.OriginRequestPolicyId)).Properties!.OriginRequestPolicyConfig;
        assert.deepEqual(originRequest.HeadersConfig, { HeaderBehavior: 'whitelist', Headers: [...forwardedHeaders] });
        assert.deepEqual(originRequest.QueryStringsConfig, { QueryStringBehavior: 'none' });
      }
    });
  }

  test('a user route on a cached path (POST /market/collections) keeps its Authorization header', () => {
    const shared = cacheableRoutes(routes).filter((route) => sharesPathWithUserRoute(route, routes));
    for (const route of shared) {
      const behaviour = config.CacheBehaviors.find((candidate) => candidate.PathPattern === behaviourPatterns(route)[0])!;
      const key = resource(template, referencedId(behaviour.CachePolicyId)).Properties!.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin;
      assert.ok(key.HeadersConfig.Headers.includes('authorization'), route.path);
    }
  });

  test('the headers handlers read are forwarded by the cached behaviours', () => {
    const read = new Set<string>();
    const scan = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) scan(path);
        else if (name.endsWith('.ts')) {
          for (const match of readFileSync(path, 'utf8').matchAll(/headers\??\.?\[\s*'([A-Za-z0-9-]+)'\s*\]/g)) read.add(match[1]!.toLowerCase());
        }
      }
    };
    scan(projectPath('functions'));
    read.delete('authorization');
    assert.ok(read.has('content-type'), 'the scan finds header reads');
    assert.deepEqual([...read].filter((header) => !(forwardedHeaders as readonly string[]).includes(header)), []);
  });

  test('every behaviour, cached or not, answers browsers on other origins with CORS and security headers', () => {
    const cors = ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS_WITH_PREFLIGHT_AND_SECURITY_HEADERS.responseHeadersPolicyId;
    for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      assert.equal(behaviour.ResponseHeadersPolicyId, cors, behaviour.PathPattern ?? 'default');
    }
    for (const header of ['origin', 'access-control-request-method', 'access-control-request-headers']) {
      assert.ok((forwardedHeaders as readonly string[]).includes(header), `a preflight's ${header} reaches API Gateway`);
    }
  });

  test('every behaviour runs the trailing-slash function on viewer request', () => {
    for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      assert.deepEqual(behaviour.FunctionAssociations, [
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
      ]);
    }
    assert.equal(edgeFunction.Properties!.FunctionConfig.Runtime, 'cloudfront-js-2.0');
    assert.equal(edgeFunction.Properties!.FunctionCode, readFileSync(stripTrailingSlashSource, 'utf8'));
  });

  test('the origin is the HTTP API over TLS 1.2, and access logs go to a bucket', () => {
    const distribution = resources(template, 'AWS::CloudFront::Distribution')[0]![1].Properties!.DistributionConfig;
    const origin = distribution.Origins[0];
    assert.equal(origin.CustomOriginConfig.OriginProtocolPolicy, 'https-only');
    assert.deepEqual(origin.CustomOriginConfig.OriginSSLProtocols, ['TLSv1.2']);
    const [apiId] = resources(template, 'AWS::ApiGatewayV2::Api')[0]!;
    assert.match(JSON.stringify(origin.DomainName), new RegExp(apiId));
    assert.ok(distribution.Logging.Bucket);
  });
});

describe('WAF', () => {
  for (const stageName of ['staging', 'prod'] as StageName[]) {
    const { template } = stages[stageName];
    test(`${stageName}: a CLOUDFRONT web ACL with the per-IP rate limit and the common rule set, attached to the distribution`, () => {
      const [[aclId, acl], ...others] = resources(template, 'AWS::WAFv2::WebACL');
      assert.equal(others.length, 0);
      const props = acl!.Properties!;
      assert.equal(props.Scope, 'CLOUDFRONT');
      assert.deepEqual(props.DefaultAction, { Allow: {} });
      const rate = props.Rules.find((rule: { Name: string }) => rule.Name === rateLimitRuleName);
      assert.equal(rate.Statement.RateBasedStatement.Limit, stageConfigs[stageName].waf.rateLimitPer5MinPerIp);
      assert.equal(rate.Statement.RateBasedStatement.AggregateKeyType, 'IP');
      assert.equal(rate.Action.Block.CustomResponse.ResponseCode, 429);
      const common = props.Rules.find((rule: { Name: string }) => rule.Name === commonRuleSetName);
      assert.equal(common.Statement.ManagedRuleGroupStatement.VendorName, 'AWS');
      assert.equal(common.Statement.ManagedRuleGroupStatement.Name, 'AWSManagedRulesCommonRuleSet');
      assert.deepEqual(distributionConfig(stageName).WebACLId, { 'Fn::GetAtt': [aclId, 'Arn'] });
    });

    test(`${stageName}: logs the requests it blocks or counts to CloudWatch Logs, Authorization redacted`, () => {
      const [aclId] = resources(template, 'AWS::WAFv2::WebACL')[0]!;
      const [[, logging], ...others] = resources(template, 'AWS::WAFv2::LoggingConfiguration');
      assert.equal(others.length, 0);
      const props = logging!.Properties!;
      assert.deepEqual(props.ResourceArn, { 'Fn::GetAtt': [aclId, 'Arn'] });
      assert.deepEqual(props.RedactedFields, [{ SingleHeader: { Name: 'authorization' } }]);
      assert.deepEqual(props.LoggingFilter, {
        DefaultBehavior: 'DROP',
        Filters: [{ Behavior: 'KEEP', Requirement: 'MEETS_ANY', Conditions: loggedActions.map((Action) => ({ ActionCondition: { Action } })) }],
      });
      assert.deepEqual([...loggedActions], ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT']);
      const logGroupName = `aws-waf-logs-Marketplace-${stageName}`;
      const [, logGroup] = resources(template, 'AWS::Logs::LogGroup').find(([, group]) => group.Properties!.LogGroupName === logGroupName)!;
      assert.equal(logGroup.Properties!.RetentionInDays, stageConfigs[stageName].logRetentionDays);
      // WAF takes the log group's ARN without the trailing `:*` CloudFormation's Arn attribute has.
      assert.deepEqual(props.LogDestinationConfigs, [{ 'Fn::Join': ['', ['arn:aws:logs:us-east-1:', { Ref: 'AWS::AccountId' }, `:log-group:${logGroupName}`]] }]);
    });
  }
});

describe('only CloudFront reaches the API', () => {
  const { template } = stages.prod;
  // The other secret is the payment provider's (test/stack/payments.test.ts): read by its own functions only.
  const allSecrets = resources(template, 'AWS::SecretsManager::Secret');
  const [stripeSecretId] = allSecrets.find(([id]) => id.includes('StripeSecret'))!;
  const [[secretId, secret], ...otherSecrets] = allSecrets.filter(([id]) => id !== stripeSecretId);
  const apiFunctionIds = [...routes.map(routeKey), '$default'].map((key) => routeFunction(template, key).functionId);
  const originSecretActions = (functionId: string) => roleActions(template, functionId, (resource) => !JSON.stringify(resource).includes(stripeSecretId));

  test('a generated 64-character secret holds the value', () => {
    assert.equal(otherSecrets.length, 0);
    assert.deepEqual(secret!.Properties!.GenerateSecretString, { ExcludePunctuation: true, PasswordLength: 64 });
  });

  test('CloudFront sends it to the API in x-origin-verify on every request (one origin for every behaviour)', () => {
    const distribution = resources(template, 'AWS::CloudFront::Distribution')[0]![1].Properties!.DistributionConfig;
    assert.equal(distribution.Origins.length, 1);
    assert.deepEqual(distribution.Origins[0].OriginCustomHeaders, [{
      HeaderName: originVerifyHeader,
      HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] },
    }]);
    for (const behaviour of [distribution.DefaultCacheBehavior, ...distribution.CacheBehaviors]) {
      assert.equal(behaviour.TargetOriginId, distribution.Origins[0].Id);
    }
  });

  test('every API function reads it through the secrets extension and may read nothing else of Secrets Manager', () => {
    assert.equal(apiFunctionIds.length, routes.length + 1);
    for (const functionId of apiFunctionIds) {
      const fn = resource(template, functionId).Properties!;
      assert.deepEqual(fn.Environment.Variables.ORIGIN_SECRET_ARN, { Ref: secretId }, functionId);
      assert.equal(fn.Environment.Variables.ORIGIN_SECRET_CACHE_SECONDS, String(originSecretCacheSeconds), functionId);
      assert.equal(fn.Environment.Variables.PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED, 'false', functionId);
      assert.equal(fn.Layers.length, 1, functionId);
      assert.match(fn.Layers[0], /^arn:aws:lambda:us-east-1:\d+:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/, functionId);
      assert.ok(roleActions(template, functionId).includes('secretsmanager:GetSecretValue'), functionId);
    }
    const secretStatements = resources(template, 'AWS::IAM::Policy')
      .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')));
    for (const statement of secretStatements) assert.ok([secretId, stripeSecretId].includes((statement.Resource as { Ref: string }).Ref));
  });

  test('every API function is deployed after the distribution: CloudFront sends the header before any function requires it', () => {
    const [distributionId] = resources(template, 'AWS::CloudFront::Distribution')[0]!;
    for (const functionId of apiFunctionIds) assert.ok(resource(template, functionId).DependsOn?.includes(distributionId), functionId);
  });

  test('jobs and stream consumers get neither the secret nor the extension', () => {
    for (const [functionId, fn] of resources(template, 'AWS::Lambda::Function')) {
      if (apiFunctionIds.includes(functionId)) continue;
      assert.equal(fn.Properties!.Environment.Variables.ORIGIN_SECRET_ARN, undefined, functionId);
      assert.equal(fn.Properties!.Layers, undefined, functionId);
      assert.ok(!originSecretActions(functionId).some((action) => action.startsWith('secretsmanager:')), functionId);
    }
    assert.ok(apiFunctionIds.some((id) => id.includes(fallbackRoute.id)));
  });

  test('after a rotation, -c originSecretVersion makes CloudFront send that version (a changed reference CloudFormation acts on)', () => {
    const stack = new Stack(new App(), 'OriginSecretVersion');
    const versionId = 'a1b2c3d4-0000-4000-8000-0123456789ab';
    const rotated = new OriginSecret(stack, 'Origin', { config: { ...stageConfigs.prod, originSecretVersion: versionId } });
    assert.match(JSON.stringify(stack.resolve(rotated.headerValue)), new RegExp(`:SecretString:::${versionId}}}`));
  });

  test('the HTTP API endpoint is an internal output only: ApiOriginUrl, said to refuse what does not come through CloudFront', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;
    assert.equal(outputs.ApiUrl, undefined);
    assert.match(outputs.ApiOriginUrl!.Description, /^Internal, not a client endpoint/);
    assert.match(outputs.ApiOriginUrl!.Description, /403/);
  });
});
