import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { originVerifyHeader } from '../functions/http/origin-header.js';
import type { Route } from '../functions/routes.js';
import { behaviourPatterns } from './cloudfront-paths.js';
import { projectPath } from './project-paths.js';
import type { StageConfig } from './stage-config.js';
import { MarketplaceWebAcl } from './marketplace-web-acl.js';

export const stripTrailingSlashSource = projectPath('lib/edge/strip-trailing-slash.js');

/** CloudFront's default quota of cache behaviours per distribution. */
const maxBehaviours = 25;

type CacheableRoute = Route & { cache: NonNullable<Route['cache']> };

export const cacheableRoutes = (routes: readonly Route[]): CacheableRoute[] =>
  routes.filter((route): route is CacheableRoute => route.method === 'GET' && route.cache !== null);

export { behaviourPatterns };

/**
 * The longest time any cacheable route may be cached: the shared cache policies' maximum TTL. Each answer's own
 * `Cache-Control: max-age` (its route's maxAgeSeconds, functions/http/responses.ts) decides within it.
 */
export const maxCacheSeconds = (routes: readonly Route[]) => Math.max(0, ...cacheableRoutes(routes).map((route) => route.cache.maxAgeSeconds));

/**
 * Request headers the handlers read besides Authorization (content type of a body, the idempotency key of
 * a create). Behaviours that cache forward only these and the cache key, so a POST sharing a cached GET's
 * path still gets them. test/stack/edge.test.ts checks the handlers read no other header.
 */
export const forwardedHeaders = [
  'content-type', 'idempotency-key',
  // The payment provider's webhook signature (its route is not cached; listed so that no path can drop it).
  'stripe-signature',
  // A browser's CORS preflight: API Gateway answers it only when it sees these.
  'origin', 'access-control-request-method', 'access-control-request-headers',
] as const;

/**
 * CORS and security headers on every answer, cached ones included: CloudFront adds the CORS headers to each
 * viewer response that carries an Origin, so a cached page stays readable from any web origin. The API's own
 * headers win where it sent them (origin override off). Matches corsPolicy in lib/stage-config.ts.
 */
const responseHeaders = ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS_WITH_PREFLIGHT_AND_SECURITY_HEADERS;

/** A cached path also used by a user route (POST /market/collections): Authorization must reach the API. */
export const sharesPathWithUserRoute = (route: Route, routes: readonly Route[]) =>
  routes.some((other) => other.path === route.path && other.auth === 'user');

export interface MarketplaceEdgeProps {
  config: StageConfig;
  routes: readonly Route[];
  /** The execute-api host name of the HTTP API. */
  apiDomain: string;
  /** Sent to the API in x-origin-verify on every request (a dynamic reference to the origin secret). */
  originSecretValue: string;
}

/** CloudFront in front of the API: cached GET twins, everything else passed through, WAF attached. */
export class MarketplaceEdge extends Construct {
  readonly distribution: Distribution;
  readonly webAcl: MarketplaceWebAcl;
  readonly logBucket: Bucket;

  constructor(scope: Construct, id: string, props: MarketplaceEdgeProps) {
    super(scope, id);
    const { config } = props;

    this.webAcl = new MarketplaceWebAcl(this, 'Waf', { config });

    const stripTrailingSlash = new CloudFrontFunction(this, 'StripTrailingSlash', {
      code: FunctionCode.fromFile({ filePath: stripTrailingSlashSource }),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Strips trailing slashes: /market/ -> /market',
    });
    const functionAssociations = [{ function: stripTrailingSlash, eventType: FunctionEventType.VIEWER_REQUEST }];

    const origin = new HttpOrigin(props.apiDomain, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      // On every request to the API, whatever the behaviour; it replaces a header of the same name from a viewer.
      customHeaders: { [originVerifyHeader]: props.originSecretValue },
    });

    // Cached behaviours also carry the other methods on the same path (POST /market, not cached: only GET
    // and HEAD are). The API sees the cache key's query strings and the forwarded headers, nothing else, so
    // an answer cannot depend on a parameter the cache does not key on.
    const cachedOriginRequest = new OriginRequestPolicy(this, 'CachedRouteOriginRequest', {
      comment: 'Cached routes: the headers handlers read, besides the cache key',
      headerBehavior: OriginRequestHeaderBehavior.allowList(...forwardedHeaders),
    });

    // Two cache policies per stage, shared by every cached route, not one per route: an account holds at most 20
    // cache policies (not adjustable), and staging and prod may share an account (docs/deploy.md). The TTL comes
    // from the answer's own Cache-Control max-age (its route's maxAgeSeconds), bounded by the longest route's; the
    // key is every query string, so an answer never depends on a parameter the cache does not key on.
    const sharedCachePolicy = (id: string, headerBehavior: CacheHeaderBehavior, comment: string) => new CachePolicy(this, id, {
      comment,
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(maxCacheSeconds(props.routes)),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      headerBehavior,
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const cacheable = cacheableRoutes(props.routes);
    const anonymousCache = sharedCachePolicy('PublicGetCache', CacheHeaderBehavior.none(),
      "Public GETs: TTL from the answer's max-age, keyed on the path and every query string");
    // CloudFront forwards Authorization only as part of the cache key. Anonymous GETs still share one entry; a GET
    // that sends a token gets its own (the answer is public either way). Only on paths shared with a user route.
    const authorizedCache = cacheable.some((route) => sharesPathWithUserRoute(route, props.routes))
      ? sharedCachePolicy('PublicGetWithAuthorizationCache', CacheHeaderBehavior.allowList('authorization'),
        'Public GETs on a path shared with a user route: as PublicGetCache, Authorization in the key so it reaches the API')
      : undefined;
    const additionalBehaviors: Record<string, BehaviorOptions> = {};
    for (const route of cacheable) {
      if (route.auth !== 'public') throw new Error(`${route.id}: only public routes may be cached at the edge`);
      const cachePolicy = sharesPathWithUserRoute(route, props.routes) ? authorizedCache! : anonymousCache;
      for (const pattern of behaviourPatterns(route)) {
        additionalBehaviors[pattern] = {
          origin,
          cachePolicy,
          originRequestPolicy: cachedOriginRequest,
          responseHeadersPolicy: responseHeaders,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachedMethods: CachedMethods.CACHE_GET_HEAD,
          compress: true,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          functionAssociations,
        };
      }
    }
    if (Object.keys(additionalBehaviors).length > maxBehaviours) {
      throw new Error(`${Object.keys(additionalBehaviors).length} cache behaviours exceed CloudFront's quota of ${maxBehaviours}`);
    }

    this.logBucket = new Bucket(this, 'AccessLogBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logs are delivered with an ACL.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
      // Kept in every stage: deleting a stack must not fail on a bucket that still holds logs; they expire.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the destination of the CloudFront access logs; logging access to the log bucket itself would only log the log delivery.',
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `NFT marketplace API (${config.stage})`,
      defaultBehavior: {
        origin,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // Everything but Host (the origin needs its own), so Authorization, the body's content type and
        // every query parameter reach the API.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: responseHeaders,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        compress: true,
        functionAssociations,
      },
      additionalBehaviors,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      // The config holds CloudFront's own names, which are the enum's values.
      priceClass: config.priceClass as PriceClass,
      webAclId: this.webAcl.webAcl.attrArn,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      publishAdditionalMetrics: true,
    });

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The marketplace serves buyers worldwide; there is no country it must refuse.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The distribution uses the default *.cloudfront.net certificate until a custom domain is added; with it CloudFront cannot be given a minimum viewer TLS policy. Adding a domain and ACM certificate (TLSv1.2_2021) removes this.',
      },
    );
  }
}
