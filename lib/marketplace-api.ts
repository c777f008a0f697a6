import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { fallbackRoute, routeKey, routes as routeTable, type Route } from '../functions/routes.js';
import { SharedFunctionRoles } from './function-roles.js';
import { MarketplaceFunction } from './marketplace-function.js';
import type { MarketplaceUserPool } from './marketplace-user-pool.js';
import { corsPolicy, type StageConfig } from './stage-config.js';

export interface MarketplaceApiProps {
  config: StageConfig;
  table: ITable;
  /** Where the routes marked `idempotencyTable` keep their Powertools records. */
  idempotencyTable: ITable;
  users: MarketplaceUserPool;
  /** The value CloudFront sends in x-origin-verify: every function refuses a request without it. */
  originSecret: ISecret;
  /** The route table; tests may pass a variant. */
  routes?: readonly Route[];
}

export interface RouteFunction {
  route: Route;
  handler: MarketplaceFunction;
  httpRoute: HttpRoute;
}

/** One access-log line per request: JSON, so Logs Insights can query it without parsing. */
const accessLogFormat = AccessLogFormat.custom(JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
}));

/**
 * The HTTP API: a route and a function per row of the route table, the JWT authorizer on user routes,
 * the fallback function on $default, stage and per-route throttles, access logs.
 */
export class MarketplaceApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly routes: RouteFunction[] = [];
  readonly fallback: MarketplaceFunction;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: MarketplaceApiProps) {
    super(scope, id);
    const { config, table, users } = props;
    const routes = props.routes ?? routeTable;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const roles = new SharedFunctionRoles(this, 'Roles', table);
    // The not-found function answers from the route table alone: no table access, a role of its own.
    this.fallback = new MarketplaceFunction(this, fallbackRoute.id, {
      role: roles.roleFor({ access: 'none', idempotencyTable: false }),
      handler: fallbackRoute.handler,
      access: 'none',
      description: `$default: ${fallbackRoute.summary}`,
      table,
      config,
      originSecret: props.originSecret,
      live: true,
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `NFT marketplace (${config.stage})`,
      // The stage is built below, after the routes it throttles (see the dependency there).
      createDefaultStage: false,
      // Browser apps on other origins: API Gateway answers the preflight.
      corsPreflight: {
        allowOrigins: corsPolicy.allowOrigins,
        allowMethods: corsPolicy.allowMethods.map((method) => CorsHttpMethod[method]),
        allowHeaders: corsPolicy.allowHeaders,
        exposeHeaders: corsPolicy.exposeHeaders,
        maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
      },
      defaultIntegration: new HttpLambdaIntegration('FallbackIntegration', this.fallback.live!, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });

    const authorizer = new HttpJwtAuthorizer('CognitoJwt', users.issuerUrl, {
      jwtAudience: [users.client.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });

    for (const route of routes) {
      const handler = new MarketplaceFunction(this, route.id, {
        role: roles.roleFor({ access: route.access, idempotencyTable: route.idempotencyTable === true, payments: route.payments }),
        handler: route.handler,
        access: route.access,
        description: `${routeKey(route)}: ${route.summary}`.slice(0, 256),
        table,
        idempotencyTable: route.idempotencyTable ? props.idempotencyTable : undefined,
        config,
        originSecret: props.originSecret,
        live: true,
        // Public reads share first pages and floors across requests for a moment (functions/data/read-cache.ts).
        ...(route.auth === 'public' && route.access === 'read'
          ? { environment: { PUBLIC_READ_CACHE_MS: String(config.publicReadCacheMs) } }
          : {}),
      });
      const httpRoute = new HttpRoute(this, `${route.id}Route`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        // The live alias: CodeDeploy shifts it to a new version gradually, and back on an alarm (lib/safe-deploys.ts).
        integration: new HttpLambdaIntegration(`${route.id}Integration`, handler.live!, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
        authorizer: route.auth === 'user' ? authorizer : undefined,
      });
      if (route.auth === 'public') {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is public by design (auth: 'public' in functions/routes.ts): anyone may call it, so it has no authorizer; the WAF rate limit and the stage throttles bound it.`,
        });
      }
      this.routes.push({ route, handler, httpRoute });
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as RetentionDays,
      removalPolicy,
    });

    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle.default,
      detailedMetricsEnabled: true,
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: accessLogFormat },
    });
    // Route settings replace the defaults for a route, so each carries its throttle and detailed metrics.
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      routes.map((route) => {
        const throttle = config.throttle.classes[route.throttle];
        return [routeKey(route), {
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
          DetailedMetricsEnabled: true,
        }];
      }),
    );
    // API Gateway rejects route settings for a route key that does not exist yet.
    for (const { httpRoute } of this.routes) this.stage.node.addDependency(httpRoute);

    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route answers unknown paths with 404/405 (functions/handlers/system/not-found.ts); it serves no data, so it needs no authorizer.',
    });
  }

  /** The execute-api host name: CloudFront's origin. */
  get originDomain(): string {
    return `${this.httpApi.apiId}.execute-api.${this.httpApi.stack.region}.${this.httpApi.stack.urlSuffix}`;
  }
}
