// What AWS refuses at deploy time (lib/deploy-limits.ts), on the stages' templates, and on a small broken fixture per
// check to show the check catches what it is for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  accountFindings, accountLimits, accountUsage, type CfnTemplate, stackFindings, stackLimits, templateBytes,
} from '../../lib/deploy-limits.js';
import { stageConfigs, type StageName } from '../../lib/stage-config.js';
import { stage } from './support/synth.js';

const stageNames = Object.keys(stageConfigs) as StageName[];

describe('the stages', () => {
  for (const stageName of stageNames) {
    const { stackName, json } = stage(stageName);

    test(`${stageName}: ${stackName} is within every per-stack limit`, (t) => {
      t.diagnostic(`${stackName}: ${Object.keys(json.Resources!).length} resources, ${Object.keys(json.Outputs ?? {}).length} outputs, ${templateBytes(json)} bytes`);
      assert.deepEqual(stackFindings(stackName, json), []);
    });

    test(`${stageName}: the template counts resources as CloudFormation does (AWS::CDK::Metadata included)`, () => {
      assert.ok(Object.values(json.Resources!).some((resource) => resource.Type === 'AWS::CDK::Metadata'));
    });
  }

  test('both stages in one account stay within every per-account quota', (t) => {
    const templates = stageNames.map((name) => stage(name).json);
    const usage = accountUsage(templates);
    for (const [check, used] of Object.entries(usage)) {
      t.diagnostic(`${accountLimits[check as keyof typeof accountLimits].name}: ${used} of ${accountLimits[check as keyof typeof accountLimits].quota}`);
    }
    assert.ok(usage.cachePolicies > 0 && usage.reservedConcurrency > 0, 'the counts see the resources');
    assert.deepEqual(accountFindings(templates), []);
  });
});

const template = (resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>, rest: Partial<CfnTemplate> = {}): CfnTemplate =>
  ({ Resources: resources, ...rest });
const many = <T>(count: number, make: (index: number) => T): Record<string, T> =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`R${index}`, make(index)]));
const checks = (findings: { check: string }[]) => findings.map((finding) => finding.check);

const distribution = (patterns: string[]) => ({
  Type: 'AWS::CloudFront::Distribution',
  Properties: { DistributionConfig: { CacheBehaviors: patterns.map((PathPattern) => ({ PathPattern })) } },
});
const cachePolicy = (queryStrings: string[], headers: string[] = []) => ({
  Type: 'AWS::CloudFront::CachePolicy',
  Properties: { CachePolicyConfig: { ParametersInCacheKeyAndForwardedToOrigin: {
    QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: queryStrings },
    HeadersConfig: { HeaderBehavior: headers.length > 0 ? 'whitelist' : 'none', Headers: headers },
  } } },
});
const webAcl = (rules: Record<string, unknown>[]) => ({ Type: 'AWS::WAFv2::WebACL', Properties: { Scope: 'CLOUDFRONT', Rules: rules } });
const rateRule = { Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } } };
const managedRule = (Name: string) => ({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name } } });

describe('per-stack checks catch a broken template', () => {
  test('a path pattern with a route parameter in braces', () => {
    assert.deepEqual(checks(stackFindings('S', template({ D: distribution(['/market/collections/{collectionId}/depth']) }))), ['pathPattern']);
    assert.deepEqual(stackFindings('S', template({ D: distribution(['/market/collections/*/depth', "/a-b_c.d/~$'\"@:+&"]) })), []);
    assert.deepEqual(checks(stackFindings('S', template({ D: distribution(['/a b', '/a%20b', '/a/(b)']) }))), ['pathPattern', 'pathPattern', 'pathPattern']);
  });

  test(`more than ${stackLimits.resources.quota} resources (AWS::CDK::Metadata is one)`, () => {
    const fn = { Type: 'AWS::Lambda::Function' };
    assert.deepEqual(stackFindings('S', template(many(stackLimits.resources.quota, () => fn))), []);
    const withMetadata = template({ ...many(stackLimits.resources.quota, () => fn), CDKMetadata: { Type: 'AWS::CDK::Metadata' } });
    assert.deepEqual(checks(stackFindings('S', withMetadata)), ['resources']);
  });

  test(`more than ${stackLimits.outputs.quota} outputs`, () => {
    assert.deepEqual(checks(stackFindings('S', template({}, { Outputs: many(stackLimits.outputs.quota + 1, () => ({ Value: 'x' })) }))), ['outputs']);
  });

  test('a template body over 1 MB', () => {
    const body = template({ Q: { Type: 'AWS::SQS::Queue', Properties: { Padding: 'x'.repeat(stackLimits.templateBytes.quota) } } });
    assert.deepEqual(checks(stackFindings('S', body)), ['templateBytes']);
  });

  test(`more than ${stackLimits.dynamicReferences.quota} dynamic references`, () => {
    const body = template(many(stackLimits.dynamicReferences.quota + 1, (index) => ({
      Type: 'AWS::SSM::Parameter', Properties: { Value: `{{resolve:secretsmanager:s${index}}}` },
    })));
    assert.deepEqual(checks(stackFindings('S', body)), ['dynamicReferences']);
  });

  test(`more than ${stackLimits.cacheBehaviours.quota} cache behaviours`, () => {
    const patterns = Array.from({ length: stackLimits.cacheBehaviours.quota + 1 }, (_, index) => `/p${index}`);
    assert.deepEqual(checks(stackFindings('S', template({ D: distribution(patterns) }))), ['cacheBehaviours']);
  });

  test('more than 10 query strings or headers in a cache policy', () => {
    const eleven = Array.from({ length: 11 }, (_, index) => `k${index}`);
    assert.deepEqual(checks(stackFindings('S', template({ P: cachePolicy(eleven) }))), ['queryStringsPerCachePolicy']);
    assert.deepEqual(checks(stackFindings('S', template({ P: cachePolicy([], eleven) }))), ['headersPerCachePolicy']);
  });

  test('a web ACL over its WCUs, with too many rate-based rules, or a rule group of unknown capacity', () => {
    assert.deepEqual(stackFindings('S', template({ A: webAcl([rateRule, managedRule('AWSManagedRulesCommonRuleSet')]) })), []);
    const heavy = webAcl([managedRule('AWSManagedRulesCommonRuleSet'), managedRule('AWSManagedRulesCommonRuleSet'), managedRule('AWSManagedRulesCommonRuleSet')]);
    assert.deepEqual(checks(stackFindings('S', template({ A: heavy }))), ['webAclCapacity']);
    assert.deepEqual(checks(stackFindings('S', template({ A: webAcl(Array.from({ length: 11 }, () => rateRule)) }))), ['rateBasedRulesPerWebAcl']);
    assert.deepEqual(checks(stackFindings('S', template({ A: webAcl([managedRule('AWSManagedRulesSQLiRuleSetUnknown')]) }))), ['webAclCapacity']);
  });
});

describe('per-account checks catch stages that do not fit one account together', () => {
  const twice = (resources: NonNullable<CfnTemplate['Resources']>) => [template(resources), template(resources)];

  test('11 cache policies per stage: 22 of 20 (the blocker of issue 21)', () => {
    const stageTemplates = twice(many(11, () => cachePolicy(['limit'])));
    assert.deepEqual(checks(accountFindings(stageTemplates)), ['cachePolicies']);
    assert.deepEqual(accountFindings(twice(many(10, () => cachePolicy(['limit'])))), []);
  });

  test('origin request and response headers policies, CloudFront Functions, distributions, web ACLs', () => {
    const cases: [keyof typeof accountLimits, string, number][] = [
      ['originRequestPolicies', 'AWS::CloudFront::OriginRequestPolicy', 11],
      ['responseHeadersPolicies', 'AWS::CloudFront::ResponseHeadersPolicy', 11],
      ['cloudFrontFunctions', 'AWS::CloudFront::Function', 51],
      ['distributions', 'AWS::CloudFront::Distribution', 101],
    ];
    for (const [check, type, perStage] of cases) {
      assert.deepEqual(checks(accountFindings(twice(many(perStage, () => ({ Type: type }))))), [check], type);
    }
    assert.deepEqual(checks(accountFindings(twice(many(51, () => webAcl([])))).filter((finding) => finding.check === 'webAcls')), ['webAcls']);
  });

  test('reserved concurrency that would leave less than 100 unreserved', () => {
    const reserving = (each: number) => twice({ Job: { Type: 'AWS::Lambda::Function', Properties: { ReservedConcurrentExecutions: each } } });
    assert.deepEqual(accountFindings(reserving(450)), []);
    assert.deepEqual(checks(accountFindings(reserving(451))), ['reservedConcurrency']);
  });

  test("an account's own quotas replace the defaults (bin/preflight.ts passes what Service Quotas says)", () => {
    const stageTemplates = twice(many(3, () => cachePolicy(['limit'])));
    assert.deepEqual(accountFindings(stageTemplates), []);
    assert.deepEqual(checks(accountFindings(stageTemplates, { cachePolicies: 5 })), ['cachePolicies']);
  });
});
