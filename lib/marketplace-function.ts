import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type Role } from 'aws-cdk-lib/aws-iam';
import { Alias, Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { bundling, handlerEntry } from './bundling.js';
import { grantTable, idempotencyActions, lambdaRole, type TableAccess, tableActions } from './function-roles.js';
import { originSecretCacheSeconds, secretsExtension } from './origin-secret.js';
import { projectPath, projectRoot } from './project-paths.js';
import type { StageConfig } from './stage-config.js';

/** Newest Node.js Lambda runtime in the installed aws-cdk-lib; the bundles target node20 and run on it. */
export const lambdaRuntime = Runtime.NODEJS_24_X;
export const serviceName = 'marketplace';
/** The alias API Gateway invokes and CodeDeploy moves from version to version (lib/safe-deploys.ts). */
export const liveAliasName = 'live';

export interface MarketplaceFunctionProps {
  /** Handler module under functions/handlers/, without extension. */
  handler: string;
  /** Table access (lib/function-roles.ts): 'none' gets neither a grant nor TABLE_NAME. */
  access: TableAccess;
  description: string;
  table: ITable;
  /** Powertools idempotency records go here (IDEMPOTENCY_TABLE_NAME): only functions whose route asks for it. */
  idempotencyTable?: ITable | undefined;
  config: StageConfig;
  /**
   * API functions: the secret CloudFront sends in x-origin-verify. The function reads it (ORIGIN_SECRET_ARN, through
   * the Parameters and Secrets extension) and refuses requests without it (functions/http/origin-verify.ts).
   */
  originSecret?: ISecret | undefined;
  timeout?: Duration;
  reservedConcurrentExecutions?: number;
  /** Extra environment for this function only. */
  environment?: Record<string, string>;
  /** API functions: published as a version on every change, invoked through the `live` alias. */
  live?: boolean;
  /** A role shared with functions of the same grants (lib/function-roles.ts); otherwise the function gets its own. */
  role?: Role;
}

/**
 * Every Lambda of the marketplace: the defaults are set here once (runtime, architecture, bundling,
 * environment, log group) so a route or job only says which handler it runs and what it may do.
 */
export class MarketplaceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  /** The `live` alias of an API function (`live: true`), on the version CodeDeploy last shifted to. */
  readonly live: Alias | undefined;

  constructor(scope: Construct, id: string, props: MarketplaceFunctionProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays as RetentionDays,
      removalPolicy,
    });

    const role = props.role ?? lambdaRole(this, 'Role', props.table);
    this.logGroup.grantWrite(role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: projectPath(handlerEntry(props.handler)),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: projectPath('package-lock.json'),
      runtime: lambdaRuntime,
      architecture: Architecture.ARM_64,
      memorySize: config.lambda.memoryMb,
      timeout: props.timeout ?? Duration.seconds(config.lambda.timeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      description: props.description,
      role,
      logGroup: this.logGroup,
      // X-Ray: Powertools Tracer records each invocation and its DynamoDB calls as subsegments.
      tracing: Tracing.ACTIVE,
      awsSdkConnectionReuse: false,
      paramsAndSecrets: props.originSecret ? secretsExtension : undefined,
      environment: {
        ...(props.access === 'none' ? {} : { TABLE_NAME: props.table.tableName }),
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.idempotencyTable ? { IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName } : {}),
        ...(props.originSecret
          ? { ORIGIN_SECRET_ARN: props.originSecret.secretArn, ORIGIN_SECRET_CACHE_SECONDS: String(originSecretCacheSeconds) }
          : {}),
        ...props.environment,
      },
      bundling: {
        format: bundling.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
        target: bundling.target,
        minify: bundling.minify,
        sourceMap: bundling.sourceMap,
        banner: bundling.banner,
        mainFields: bundling.mainFields,
        externalModules: bundling.externalModules,
        forceDockerBundling: false,
        // esbuild's per-bundle size lines, times thirty, bury the synth output; warnings still show.
        logLevel: LogLevel.WARNING,
      },
    });

    this.live = props.live ? new Alias(this, 'Live', { aliasName: liveAliasName, version: this.function.currentVersion }) : undefined;

    grantTable(this.function, props.table, tableActions[props.access]);
    if (props.idempotencyTable) grantTable(this.function, props.idempotencyTable, idempotencyActions, false);
    // GetSecretValue only: the secrets extension reads the value and nothing else (grantRead adds DescribeSecret).
    if (props.originSecret) Grant.addToPrincipal({ grantee: this.function, actions: ['secretsmanager:GetSecretValue'], resourceArns: [props.originSecret.secretArn] });
  }
}
