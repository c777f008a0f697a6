import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config.js';

export const rateLimitRuleName = 'RateLimitPerIp';
export const commonRuleSetName = 'AWSManagedRulesCommonRuleSet';
/** WAF logs only the requests a rule blocked or counted: logging every request would cost about $13 an hour at 10,000 users. */
export const loggedActions = ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'] as const;

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/**
 * The WAF in front of CloudFront: a per-IP rate limit answered with 429 in the API's error shape, and the
 * AWS common rule set. CLOUDFRONT scope: the stack must deploy to us-east-1 (lib/stage-config.ts).
 */
export class MarketplaceWebAcl extends Construct {
  readonly webAcl: CfnWebACL;
  /** The ACL's name and metric name: the WebACL dimension of its CloudWatch metrics. */
  readonly metricName: string;
  /** Blocked and counted requests, Authorization redacted. */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    const prefix = `${Stack.of(this).stackName}-`;
    this.metricName = `${prefix}WebAcl`;

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: this.metricName,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(this.metricName),
      customResponseBodies: {
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many requests from this address; retry later' } }),
        },
      },
      rules: [
        {
          name: rateLimitRuleName,
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit: config.waf.rateLimitPer5MinPerIp,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
            },
          },
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: 'rateLimited',
                responseHeaders: [{ name: 'retry-after', value: '60' }],
              },
            },
          },
          visibilityConfig: visibility(`${prefix}${rateLimitRuleName}`),
        },
        {
          name: commonRuleSetName,
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: commonRuleSetName,
              // The rule set blocks bodies over 8 KB with a bare 403; the handlers accept up to 16 KB and
              // answer larger ones with 413 in the error shape, so this one rule only counts.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility(`${prefix}${commonRuleSetName}`),
        },
      ],
    });

    // WAF delivers only to a log group whose name starts with aws-waf-logs-, given by its ARN without the `:*`.
    const logGroupName = `aws-waf-logs-${Stack.of(this).stackName}`;
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName,
      retention: config.logRetentionDays as RetentionDays,
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [Stack.of(this).formatArn({
        service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
      // Bearer tokens never reach the logs.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [{
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: loggedActions.map((action) => ({ ActionCondition: { Action: action } })),
        }],
      },
    });
    logging.node.addDependency(this.logGroup);
  }
}
