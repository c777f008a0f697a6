import { pathPatternCharacters } from './cloudfront-paths.js';

/**
 * What AWS refuses at deploy time, checked on synthesized templates before anyone deploys
 * (test/stack/deploy-limits.test.ts, bin/preflight.ts). Plain data and functions over template JSON: no CDK.
 *
 * Sources (the default quotas of a new account):
 * - CloudFormation: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 *   (resources 500, outputs 200, template body in S3 1 MB, dynamic references 60 per template).
 * - CloudFront: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html and
 *   https://docs.aws.amazon.com/general/latest/gr/cf_region.html ("Cache policies per AWS account: 20, not
 *   adjustable"; origin request and response headers policies 20 each; CloudFront Functions 100; cache behaviours
 *   per distribution 25; query strings and headers per cache policy 10 each).
 * - Lambda: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (1,000 concurrent executions per
 *   Region; reserving leaves at least 100 unreserved: https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 * - AWS WAF: https://docs.aws.amazon.com/waf/latest/developerguide/limits.html (100 web ACLs per account and scope,
 *   at most 5,000 WCUs per web ACL, 1,500 included in the base price, 10 rate-based rules per web ACL) and
 *   https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html.
 */

export interface Limit {
  /** What is counted, as the AWS documentation names it. */
  name: string;
  quota: number;
  /**
   * Where Service Quotas holds the account's value (bin/preflight.ts reads it): the service code and the quota's name
   * there, or its code where the name is not the one above.
   */
  serviceQuota?: { serviceCode: string; quotaName?: string; quotaCode?: string };
}

/** Per stack (one template). */
export const stackLimits = {
  resources: { name: 'Resources per stack (AWS::CDK::Metadata included)', quota: 500 },
  outputs: { name: 'Outputs per stack', quota: 200 },
  // CloudFormation answers "Template may not exceed 1000000 bytes in size" for a template read from S3 (cdk deploy
  // uploads every template over 50 KB to the bootstrap bucket).
  templateBytes: { name: 'Template body size in an Amazon S3 object (bytes)', quota: 1_000_000 },
  dynamicReferences: { name: 'Dynamic references per template', quota: 60 },
  cacheBehaviours: { name: 'Cache behaviors per distribution', quota: 25 },
  queryStringsPerCachePolicy: { name: 'Query strings per cache policy', quota: 10 },
  headersPerCachePolicy: { name: 'Headers per cache policy', quota: 10 },
  rateBasedRulesPerWebAcl: { name: 'Rate-based rules per web ACL', quota: 10 },
  webAclCapacity: { name: 'Web ACL capacity units (WCUs) per web ACL, within the base price', quota: 1_500 },
} satisfies Record<string, Limit>;

/** Per account and Region: what every stage deployed to one account shares. */
export const accountLimits = {
  cachePolicies: { name: 'Cache policies per AWS account', quota: 20, serviceQuota: { serviceCode: 'cloudfront', quotaCode: 'L-7D134442' } },
  originRequestPolicies: { name: 'Origin request policies per AWS account', quota: 20, serviceQuota: { serviceCode: 'cloudfront' } },
  responseHeadersPolicies: { name: 'Response headers policies per AWS account', quota: 20, serviceQuota: { serviceCode: 'cloudfront' } },
  cloudFrontFunctions: { name: 'CloudFront Functions per AWS account', quota: 100, serviceQuota: { serviceCode: 'cloudfront' } },
  distributions: { name: 'Distributions per AWS account', quota: 200, serviceQuota: { serviceCode: 'cloudfront' } },
  // The account's 1,000 concurrent executions less the 100 Lambda keeps unreserved.
  reservedConcurrency: { name: 'Reserved concurrency (of 1,000 concurrent executions, 100 kept unreserved)', quota: 900, serviceQuota: { serviceCode: 'lambda', quotaName: 'Concurrent executions' } },
  webAcls: { name: 'Web ACLs per account (CLOUDFRONT scope)', quota: 100, serviceQuota: { serviceCode: 'wafv2' } },
} satisfies Record<string, Limit>;

/** What Lambda keeps unreserved of the account's concurrency: the reservable part is the quota less this. */
export const unreservedConcurrencyMinimum = 100;

/**
 * WCUs of the AWS managed rule groups this project may use (their capacity in the AWS WAF Developer Guide,
 * "AWS Managed Rules rule groups list"); a group not listed here is a finding, so a new one gets its figure.
 */
export const managedRuleGroupCapacity: Record<string, number> = {
  AWSManagedRulesCommonRuleSet: 700,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesAmazonIpReputationList: 25,
  AWSManagedRulesAnonymousIpList: 50,
};
/** A rate-based rule aggregating on the IP address, without a scope-down statement (Developer Guide: 2 WCUs). */
const rateBasedRuleCapacity = 2;

export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, any> }>;
  Outputs?: Record<string, unknown>;
  [section: string]: unknown;
}

export interface Finding {
  check: string;
  /** The stack, or "account" for what stages share. */
  where: string;
  message: string;
}

const resourcesOf = (template: CfnTemplate, type: string) =>
  Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);

/** The size `cdk synth` writes (one-space indentation), which is what CloudFormation reads from S3. */
export const templateBytes = (template: CfnTemplate) => Buffer.byteLength(JSON.stringify(template, undefined, 1));

function webAclCapacity(rules: { Statement: Record<string, any> }[]): { wcu: number; unknown: string[] } {
  let wcu = 0;
  const unknown: string[] = [];
  for (const { Statement: statement } of rules) {
    if (statement.RateBasedStatement && !statement.RateBasedStatement.ScopeDownStatement) wcu += rateBasedRuleCapacity;
    else if (statement.ManagedRuleGroupStatement?.VendorName === 'AWS' && managedRuleGroupCapacity[statement.ManagedRuleGroupStatement.Name] !== undefined) {
      wcu += managedRuleGroupCapacity[statement.ManagedRuleGroupStatement.Name]!;
    } else unknown.push(JSON.stringify(statement).slice(0, 120));
  }
  return { wcu, unknown };
}

/** What one stack's template breaks of the per-stack limits. */
export function stackFindings(stackName: string, template: CfnTemplate): Finding[] {
  const findings: Finding[] = [];
  const over = (check: keyof typeof stackLimits, count: number, what = '') => {
    const limit = stackLimits[check];
    if (count > limit.quota) findings.push({ check, where: stackName, message: `${what}${count} > ${limit.quota}: ${limit.name}` });
  };
  over('resources', Object.keys(template.Resources ?? {}).length);
  over('outputs', Object.keys(template.Outputs ?? {}).length);
  over('templateBytes', templateBytes(template));
  over('dynamicReferences', JSON.stringify(template).split('{{resolve:').length - 1);

  for (const [id, distribution] of resourcesOf(template, 'AWS::CloudFront::Distribution')) {
    const behaviours = (distribution.Properties?.DistributionConfig?.CacheBehaviors ?? []) as { PathPattern: string }[];
    over('cacheBehaviours', behaviours.length, `${id}: `);
    for (const { PathPattern: pattern } of behaviours) {
      if (!pathPatternCharacters.test(pattern)) {
        findings.push({ check: 'pathPattern', where: stackName, message: `${id}: path pattern ${pattern} has characters CloudFront refuses (allowed: A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + &)` });
      }
    }
  }
  for (const [id, policy] of resourcesOf(template, 'AWS::CloudFront::CachePolicy')) {
    const key = policy.Properties?.CachePolicyConfig?.ParametersInCacheKeyAndForwardedToOrigin ?? {};
    over('queryStringsPerCachePolicy', (key.QueryStringsConfig?.QueryStrings ?? []).length, `${id}: `);
    over('headersPerCachePolicy', (key.HeadersConfig?.Headers ?? []).length, `${id}: `);
  }
  for (const [id, acl] of resourcesOf(template, 'AWS::WAFv2::WebACL')) {
    const rules = (acl.Properties?.Rules ?? []) as { Statement: Record<string, any> }[];
    over('rateBasedRulesPerWebAcl', rules.filter((rule) => rule.Statement.RateBasedStatement).length, `${id}: `);
    const { wcu, unknown } = webAclCapacity(rules);
    over('webAclCapacity', wcu, `${id}: `);
    for (const statement of unknown) findings.push({ check: 'webAclCapacity', where: stackName, message: `${id}: no known WCU figure for ${statement}` });
  }
  return findings;
}

/** What the templates, deployed together to one account and Region, use of each per-account quota. */
export function accountUsage(templates: readonly CfnTemplate[]): Record<keyof typeof accountLimits, number> {
  const count = (type: string) => templates.reduce((sum, template) => sum + resourcesOf(template, type).length, 0);
  return {
    cachePolicies: count('AWS::CloudFront::CachePolicy'),
    originRequestPolicies: count('AWS::CloudFront::OriginRequestPolicy'),
    responseHeadersPolicies: count('AWS::CloudFront::ResponseHeadersPolicy'),
    cloudFrontFunctions: count('AWS::CloudFront::Function'),
    distributions: count('AWS::CloudFront::Distribution'),
    reservedConcurrency: templates.reduce((sum, template) => sum + resourcesOf(template, 'AWS::Lambda::Function')
      .reduce((total, [, fn]) => total + Number(fn.Properties?.ReservedConcurrentExecutions ?? 0), 0), 0),
    webAcls: templates.reduce((sum, template) => sum + resourcesOf(template, 'AWS::WAFv2::WebACL')
      .filter(([, acl]) => acl.Properties?.Scope === 'CLOUDFRONT').length, 0),
  };
}

/** What the templates break of the per-account quotas (given quotas, or the defaults) when deployed to one account. */
export function accountFindings(
  templates: readonly CfnTemplate[],
  quotas: Partial<Record<keyof typeof accountLimits, number>> = {},
): Finding[] {
  const usage = accountUsage(templates);
  return (Object.keys(accountLimits) as (keyof typeof accountLimits)[]).flatMap((check) => {
    const quota = quotas[check] ?? accountLimits[check].quota;
    return usage[check] > quota
      ? [{ check, where: 'account', message: `${usage[check]} > ${quota}: ${accountLimits[check].name}` }]
      : [];
  });
}
