import type { ThrottleClass } from '../functions/routes.js';

/**
 * One typed configuration per stage. Plain data (no CDK imports) so the local gateway can enforce the
 * same throttles the deployed stage gets.
 */
export type StageName = 'staging' | 'prod';

export interface Throttle {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  burstLimit: number;
}

/** The retention periods CloudWatch Logs accepts (aws-logs RetentionDays has the same numbers). */
export type LogRetentionDays = 1 | 3 | 5 | 7 | 14 | 30 | 60 | 90 | 120 | 150 | 180 | 365 | 400 | 545 | 731 | 1096 | 1827;

export interface AlarmThresholds {
  /** API 5xx answers as a percentage of requests, per minute (only counted above `minRequestsForRate`). */
  api5xxRatePercent: number;
  /** Below this many requests a minute the 5xx rate is not judged (one error in three requests is noise). */
  minRequestsForRate: number;
  /** API Gateway p99 latency in milliseconds (stage-wide, per minute). */
  apiP99LatencyMs: number;
  /** Lambda errors (crashes and timeouts, not 4xx/5xx answers) per function per 5 minutes. */
  lambdaErrorsPer5Min: number;
  /**
   * Errors of one API function's `live` alias in one minute: the per-function alarm a deploy rolls back on, judged
   * each minute so it can fire within a 5-minute canary.
   */
  liveErrorsPerMinute: number;
  /** Lambda throttles per function per 5 minutes. */
  lambdaThrottlesPer5Min: number;
  /** DynamoDB throttle events (table and indexes, reads or writes) per 5 minutes. */
  dynamoThrottlesPer5Min: number;
  /**
   * A stream consumer's IteratorAge (milliseconds from a table write to its aggregation), judged on the
   * one-minute maximum: the stats, floors and credits the API shows are this far behind.
   */
  streamLagMs: number;
}

export interface StageConfig {
  stage: StageName;
  /**
   * The whole stack deploys to us-east-1: the CloudFront-scoped WAF web ACL can only live there, and one
   * stack per stage keeps a deploy to one command with no cross-region plumbing (docs/deploy.md).
   */
  region: 'us-east-1';
  /** API Gateway stage default, and per-route overrides by throttle class. */
  throttle: { default: Throttle; classes: Record<ThrottleClass, Throttle> };
  /** What CloudFormation does with the table, user pool and log groups when the stack or resource goes. */
  removalPolicy: 'destroy' | 'retain';
  /** DynamoDB and Cognito deletion protection. */
  deletionProtection: boolean;
  /** CloudFormation termination protection on the stack. */
  terminationProtection: boolean;
  logRetentionDays: LogRetentionDays;
  /** POWERTOOLS_LOG_LEVEL of every function. */
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  lambda: { memoryMb: number; timeoutSeconds: number };
  /**
   * Reserved concurrency only where it protects DynamoDB: the settlement job writes in bulk and must not
   * overlap itself. Route functions are bounded by the API throttles instead; reserving for each of them
   * would carve the account's concurrency pool into slices and fail deploys in accounts near the limit.
   */
  reservedConcurrency: { jobs: number };
  /**
   * CloudWatch Contributor Insights on the table and its indexes: every request's keys (staging, where load tests
   * look for hot keys), or only the throttled ones (prod: AWS's advice for keeping it on all the time).
   */
  contributorInsights: 'ACCESSED_AND_THROTTLED_KEYS' | 'THROTTLED_KEYS';
  /** How long a warm public-read Lambda reuses a first page or floor it read (0: off). */
  publicReadCacheMs: number;
  waf: {
    /** Requests one IP may make in a 5-minute window before the WAF answers 429. */
    rateLimitPer5MinPerIp: number;
  };
  /**
   * The origin secret's version CloudFront sends (`-c originSecretVersion=<id>`, docs/deploy.md): unset, its
   * current version. Only a changed reference makes CloudFormation update the distribution after a rotation.
   */
  originSecretVersion?: string;
  /**
   * How CodeDeploy moves each API function's `live` alias to a new version (lib/safe-deploys.ts): a canary (10 % of
   * requests for 5 minutes, then all) or all at once. Either way a deploy rolls back when a rollback alarm fires.
   */
  deploymentConfig: 'CANARY_10PERCENT_5MINUTES' | 'ALL_AT_ONCE';
  /**
   * Whether the app client allows USER_PASSWORD_AUTH (a password sent to Cognito as is), besides SRP. Staging only:
   * the AWS CLI and the load test's users sign in with it there (docs/deploy.md); prod's apps use SRP.
   */
  userPasswordAuth: boolean;
  /**
   * The stage's daily AWS Budget (lib/marketplace-budget.ts): the capacity model's cost per hour at 10,000 users
   * (`npm run capacity`, docs/load-testing.md: the seed's clients, the costlier mode), times the hours a day the stage
   * may run at that load before the alarm topic hears of it.
   */
  budget: { hourlyEstimateUsd: number; hoursPerDay: number };
  /** CloudFront price class: which edge locations serve the stage. */
  priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  alarms: AlarmThresholds;
}

/** Sized by the capacity model for the seed's mix at 10,000 users (docs/load-testing.md), with headroom. */
const tenThousandUserThrottle: StageConfig['throttle'] = {
  default: { rateLimit: 8_000, burstLimit: 4_000 },
  classes: {
    'public-read': { rateLimit: 6_000, burstLimit: 3_000 },
    'user-read': { rateLimit: 4_000, burstLimit: 2_000 },
    'user-write': { rateLimit: 1_000, burstLimit: 500 },
    // Up to 50 trades a request: the same trades per second as user-write at most.
    'user-bulk': { rateLimit: 20, burstLimit: 10 },
  },
};

export const stageConfigs: Record<StageName, StageConfig> = {
  staging: {
    stage: 'staging',
    region: 'us-east-1',
    // Prod's throttles: staging is where 10,000-user load tests run, and they must measure the system, not the
    // throttle (at 10,000 users the seed's mix needs ~1,800 user reads/s and ~2,600 public reads/s).
    throttle: tenThousandUserThrottle,
    removalPolicy: 'destroy',
    deletionProtection: false,
    terminationProtection: false,
    logRetentionDays: 14,
    logLevel: 'DEBUG',
    lambda: { memoryMb: 1024, timeoutSeconds: 10 },
    reservedConcurrency: { jobs: 1 },
    contributorInsights: 'ACCESSED_AND_THROTTLED_KEYS',
    publicReadCacheMs: 1_000,
    // Load generators come from few IPs: a Locust run of thousands of users needs this raised (docs/deploy.md).
    waf: { rateLimitPer5MinPerIp: 3_000 },
    userPasswordAuth: true,
    // An hour of a 10,000-user load test a day.
    budget: { hourlyEstimateUsd: 60, hoursPerDay: 1 },
    priceClass: 'PriceClass_100',
    // Staging deploys fast; its alarms still roll a deploy back while CodeDeploy watches it.
    deploymentConfig: 'ALL_AT_ONCE',
    alarms: {
      api5xxRatePercent: 5,
      minRequestsForRate: 20,
      apiP99LatencyMs: 2_000,
      lambdaErrorsPer5Min: 10,
      liveErrorsPerMinute: 5,
      lambdaThrottlesPer5Min: 10,
      dynamoThrottlesPer5Min: 50,
      streamLagMs: 60_000,
    },
  },
  prod: {
    stage: 'prod',
    region: 'us-east-1',
    throttle: tenThousandUserThrottle,
    removalPolicy: 'retain',
    deletionProtection: true,
    terminationProtection: true,
    logRetentionDays: 90,
    logLevel: 'INFO',
    lambda: { memoryMb: 1024, timeoutSeconds: 10 },
    reservedConcurrency: { jobs: 1 },
    contributorInsights: 'THROTTLED_KEYS',
    publicReadCacheMs: 1_000,
    // Carrier-grade NAT puts many users behind one address: 10,000 per 5 minutes is about 33 requests/s per IP.
    waf: { rateLimitPer5MinPerIp: 10_000 },
    userPasswordAuth: false,
    // 10,000 users all day.
    budget: { hourlyEstimateUsd: 60, hoursPerDay: 24 },
    priceClass: 'PriceClass_All',
    deploymentConfig: 'CANARY_10PERCENT_5MINUTES',
    alarms: {
      api5xxRatePercent: 1,
      minRequestsForRate: 100,
      apiP99LatencyMs: 1_000,
      lambdaErrorsPer5Min: 5,
      liveErrorsPerMinute: 3,
      lambdaThrottlesPer5Min: 1,
      dynamoThrottlesPer5Min: 10,
      streamLagMs: 60_000,
    },
  },
};

export function stageConfig(stage: string | undefined): StageConfig {
  const name = stage ?? 'staging';
  if (name !== 'staging' && name !== 'prod') throw new Error(`Unknown stage "${name}": use staging or prod`);
  return stageConfigs[name];
}

/**
 * CORS for browser apps on other origins, the same in every stage and locally. Any origin is safe because
 * the API authenticates with bearer tokens, never cookies, so a foreign page cannot borrow a session.
 */
export const corsPolicy = {
  allowOrigins: ['*'],
  allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'] as const,
  allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
  exposeHeaders: ['retry-after'],
  maxAgeSeconds: 3600,
};
