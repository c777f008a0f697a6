/**
 * The route table: the single source of truth for every API route.
 * The CDK stack, the local gateway, the OpenAPI document and the load test all read it.
 * Adding an endpoint is one row here plus one handler in functions/handlers/.
 *
 * Keep this module free of imports: every Lambda bundle includes it.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** public: no token needed. user: a verified JWT subject is required (authorizer + handler check). */
export type RouteAuth = 'public' | 'user';

/**
 * Throttle classes map to rate/burst per stage (lib/stage-config.ts) and in the local gateway. user-bulk: a
 * request that makes up to 50 trades (sweep, batch listing), so a fiftieth of user-write's rate.
 */
export type ThrottleClass = 'public-read' | 'user-read' | 'user-write' | 'user-bulk';

export interface CachePolicy {
  /** Seconds CloudFront and browsers may serve the answer without asking again. */
  maxAgeSeconds: number;
  /** Seconds a stale answer may still be served while it is refreshed. */
  staleWhileRevalidateSeconds: number;
  /** Query-string parameters the handler reads (CloudFront keys on every query string: lib/marketplace-edge.ts). */
  queryKeys: readonly string[];
}

export interface Route {
  /** Stable identifier: the Lambda function's logical name and the OpenAPI operationId. */
  id: string;
  method: HttpMethod;
  /** API Gateway route path, without trailing slash; `{name}` marks a path parameter. */
  path: string;
  /** Handler module under functions/handlers/, without extension. Twin routes share one module. */
  handler: string;
  auth: RouteAuth;
  /** null: never cached (Cache-Control: no-store). */
  cache: CachePolicy | null;
  throttle: ThrottleClass;
  /** Read routes get read-only table access. */
  access: 'read' | 'write';
  /** The handler keeps Powertools idempotency records: it gets the idempotency table (IDEMPOTENCY_TABLE_NAME). */
  idempotencyTable?: true;
  /**
   * What the handler asks of payments (lib/payments.ts): `provider`, the payment provider's secret (it calls Stripe
   * or checks its signatures); `payouts`, the withdrawals queue (it sends payouts to it).
   */
  payments?: 'provider' | 'payouts';
  summary: string;
  /** The path as the seed report's clients call it (trailing slash included), where it differs. */
  seedPath?: string;
}

// minAsOf (read-your-writes: the caller's last write) is in every cache key, so a caller that names its write
// never gets an edge copy made before it.
const listingQueryKeys = ['collectionId', 'minPrice', 'maxPrice', 'attributes', 'sort', 'limit', 'cursor', 'minAsOf'] as const;
const auctionQueryKeys = ['status', 'collectionId', 'limit', 'cursor', 'minAsOf'] as const;
const presaleQueryKeys = ['status', 'limit', 'cursor', 'minAsOf'] as const;

export const routes: readonly Route[] = [
  {
    id: 'listMarketListings', method: 'POST', path: '/market', seedPath: '/market/',
    handler: 'market/list-listings', auth: 'public', cache: null, throttle: 'public-read', access: 'read',
    summary: 'Active listings, filtered by collection, price and traits, sorted by price or newest first',
  },
  {
    id: 'getMarketListings', method: 'GET', path: '/market',
    handler: 'market/list-listings', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 5, staleWhileRevalidateSeconds: 30, queryKeys: listingQueryKeys },
    summary: 'Cacheable twin of POST /market/: the filters come as query parameters',
  },
  {
    id: 'postMarketFloor', method: 'POST', path: '/market/floor',
    handler: 'market/get-floor', auth: 'public', cache: null, throttle: 'public-read', access: 'read',
    summary: 'Floor price (cheapest active listing) per collection',
  },
  {
    id: 'getMarketFloor', method: 'GET', path: '/market/floor',
    handler: 'market/get-floor', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 5, staleWhileRevalidateSeconds: 30, queryKeys: ['collectionIds', 'minAsOf'] },
    summary: 'Cacheable twin of POST /market/floor: ?collectionIds=a,b',
  },
  {
    id: 'listCollections', method: 'GET', path: '/market/collections',
    handler: 'market/list-collections', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 30, staleWhileRevalidateSeconds: 120, queryKeys: ['limit', 'cursor', 'minAsOf'] },
    summary: 'Collections with their stats (floor, listed count, volume, sales, owners)',
  },
  {
    id: 'getAccount', method: 'GET', path: '/accounts',
    handler: 'accounts/get-account', auth: 'user', cache: null, throttle: 'user-read', access: 'read',
    summary: "The caller's account: balance and funds held by open offers and bids",
  },
  {
    id: 'listMyNfts', method: 'GET', path: '/nft/my',
    handler: 'nfts/list-my-nfts', auth: 'user', cache: null, throttle: 'user-read', access: 'read',
    summary: 'NFTs the caller owns, optionally in one collection',
  },
  {
    id: 'listMyOffers', method: 'GET', path: '/offers/my',
    handler: 'offers/list-my-offers', auth: 'user', cache: null, throttle: 'user-read', access: 'read',
    summary: 'Offers the caller made (role=made), or received (role=received): on NFTs they own now, and open collection offers on collections they hold',
  },
  {
    id: 'listAuctions', method: 'POST', path: '/auctions', seedPath: '/auctions/',
    handler: 'auctions/list-auctions', auth: 'public', cache: null, throttle: 'public-read', access: 'read',
    summary: 'Auctions by status (live, upcoming, ended), optionally in one collection',
  },
  {
    id: 'getAuctions', method: 'GET', path: '/auctions',
    handler: 'auctions/list-auctions', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 5, staleWhileRevalidateSeconds: 15, queryKeys: auctionQueryKeys },
    summary: 'Cacheable twin of POST /auctions/',
  },
  {
    id: 'listPresales', method: 'POST', path: '/presale', seedPath: '/presale/',
    handler: 'presales/list-presales', auth: 'public', cache: null, throttle: 'public-read', access: 'read',
    summary: 'Presales by status (live, upcoming, ended)',
  },
  {
    id: 'getPresales', method: 'GET', path: '/presale',
    handler: 'presales/list-presales', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 10, staleWhileRevalidateSeconds: 30, queryKeys: presaleQueryKeys },
    summary: 'Cacheable twin of POST /presale/',
  },
  {
    id: 'listMyTopups', method: 'GET', path: '/users/balance-topups',
    handler: 'topups/list-my-topups', auth: 'user', cache: null, throttle: 'user-read', access: 'read',
    summary: "The caller's balance top-ups, newest first",
  },
  {
    id: 'listActivity', method: 'GET', path: '/market/activity',
    handler: 'market/list-activity', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 5, staleWhileRevalidateSeconds: 15, queryKeys: ['collectionId', 'nftId', 'types', 'limit', 'cursor', 'minAsOf'] },
    summary: 'Sales, listings, cancellations, bids, mints and offers, newest first; by collection or NFT, and by type (?types=sale,bid)',
  },
  {
    id: 'listMyActivity', method: 'GET', path: '/users/me/activity',
    handler: 'users/list-my-activity', auth: 'user', cache: null, throttle: 'user-read', access: 'read',
    summary: "The caller's activity, newest first: as buyer, seller, bidder, offer maker or recipient, minter; ?types= as the market's",
  },
  {
    id: 'getCollectionDepth', method: 'GET', path: '/market/collections/{collectionId}/depth',
    handler: 'market/get-depth', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 5, staleWhileRevalidateSeconds: 15, queryKeys: ['side', 'levels', 'minAsOf'] },
    summary: "A collection's order book by price level, best first: listings cheapest first or collection offers highest first (the best 1,000 orders)",
  },
  {
    id: 'getCollectionHistory', method: 'GET', path: '/market/collections/{collectionId}/history',
    handler: 'market/get-history', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 30, staleWhileRevalidateSeconds: 120, queryKeys: ['interval', 'from', 'to', 'minAsOf'] },
    summary: "A collection's floor, volume and sales per hour (up to 31 days) or per day (up to 365 days)",
  },
  {
    id: 'listCollectionHolders', method: 'GET', path: '/market/collections/{collectionId}/holders',
    handler: 'market/list-holders', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 30, staleWhileRevalidateSeconds: 120, queryKeys: ['limit', 'minAsOf'] },
    summary: "A collection's top holders (most NFTs first) and how its holders are distributed by NFTs held",
  },
  {
    id: 'listOpenOffers', method: 'GET', path: '/offers',
    handler: 'offers/list-open-offers', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 5, staleWhileRevalidateSeconds: 15, queryKeys: ['collectionId', 'nftId', 'trait', 'limit', 'cursor', 'minAsOf'] },
    summary: "Open offers, best first (highest amount, then earliest): a collection's collection offers, its trait offers on one trait (trait=Key:Value), or those on one NFT",
  },
  {
    id: 'getCollectionTraits', method: 'GET', path: '/market/collections/{collectionId}/traits',
    handler: 'market/get-collection-traits', auth: 'public', throttle: 'public-read', access: 'read',
    cache: { maxAgeSeconds: 10, staleWhileRevalidateSeconds: 30, queryKeys: ['minAsOf'] },
    summary: "A collection's traits: per key and value, how many NFTs have it, how many are listed, its floor and its best trait offer",
  },
  {
    id: 'readFeed', method: 'GET', path: '/feed',
    handler: 'feed/read-feed', auth: 'user', cache: null, throttle: 'user-read', access: 'read',
    summary: "A live-feed channel's events after ?since=<seq>, oldest first: what a subscriber missed; /users/<id> only the caller's own (docs/live-feed.md)",
  },

  // Trading: every write moves money or NFTs in one DynamoDB transaction.
  {
    id: 'createTopup', method: 'POST', path: '/users/balance-topups',
    handler: 'topups/create-topup', auth: 'user', cache: null, throttle: 'user-write', access: 'write', idempotencyTable: true, payments: 'provider',
    summary: 'Start a paid top-up: the balance is credited when the payment succeeds; the Idempotency-Key header is required and makes retries safe',
  },
  {
    id: 'listMyWithdrawals', method: 'GET', path: '/users/withdrawals',
    handler: 'withdrawals/list-my-withdrawals', auth: 'user', cache: null, throttle: 'user-read', access: 'read',
    summary: "The caller's withdrawals, newest first, with their status",
  },
  {
    id: 'createWithdrawal', method: 'POST', path: '/users/withdrawals',
    handler: 'withdrawals/create-withdrawal', auth: 'user', cache: null, throttle: 'user-write', access: 'write', idempotencyTable: true, payments: 'payouts',
    summary: 'Withdraw: the amount is held until the payment provider pays it out (returned if the payout fails); the Idempotency-Key header is required',
  },
  {
    // Called by Stripe, not by users: no JWT; the SDK checks the signature over the raw body.
    id: 'stripeWebhook', method: 'POST', path: '/payments/stripe/webhook',
    handler: 'payments/stripe-webhook', auth: 'public', cache: null, throttle: 'user-write', access: 'write', payments: 'provider',
    summary: "Stripe's webhook: payments succeeded or failed, refunds, disputes, payouts; signed, applied exactly once each",
  },
  {
    id: 'createListing', method: 'POST', path: '/market/listings',
    handler: 'listings/create-listing', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'List an NFT you own for a fixed price',
  },
  {
    id: 'cancelListing', method: 'DELETE', path: '/market/listings/{listingId}',
    handler: 'listings/cancel-listing', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Cancel your listing',
  },
  {
    id: 'buyListing', method: 'POST', path: '/market/listings/{listingId}/buy',
    handler: 'listings/buy-listing', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Buy a listed NFT from your balance',
  },
  {
    id: 'sweepCollection', method: 'POST', path: '/market/sweep',
    handler: 'market/sweep-collection', auth: 'user', cache: null, throttle: 'user-bulk', access: 'write', idempotencyTable: true,
    summary: 'Buy up to maxItems of the cheapest listings of a collection at up to maxPricePerItem each; the Idempotency-Key header is required',
  },
  {
    id: 'createListingsBatch', method: 'POST', path: '/market/listings/batch',
    handler: 'listings/create-listings-batch', auth: 'user', cache: null, throttle: 'user-bulk', access: 'write',
    summary: 'List up to 50 NFTs you own; a result per item, one refused item leaves the others listed',
  },
  {
    id: 'cancelListingsBatch', method: 'POST', path: '/market/listings/cancel-batch',
    handler: 'listings/cancel-listings-batch', auth: 'user', cache: null, throttle: 'user-bulk', access: 'write',
    summary: 'Cancel up to 50 of your listings; a result per listing, one refused leaves the others cancelled',
  },
  {
    id: 'createCollection', method: 'POST', path: '/market/collections',
    handler: 'market/create-collection', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Create a collection (creators group only)',
  },
  {
    id: 'createOffer', method: 'POST', path: '/offers',
    handler: 'offers/create-offer', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Offer an amount for an NFT or any NFT of a collection; the amount is held',
  },
  {
    id: 'cancelOffer', method: 'DELETE', path: '/offers/{offerId}',
    handler: 'offers/cancel-offer', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Cancel your open offer; the held amount returns to your balance',
  },
  {
    id: 'acceptOffer', method: 'POST', path: '/offers/{offerId}/accept',
    handler: 'offers/accept-offer', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Sell your NFT for an open offer (name the nftId for a collection offer)',
  },
  {
    // POST /auctions/ is the seed clients' list call, so creating an auction has its own path.
    id: 'createAuction', method: 'POST', path: '/auctions/create',
    handler: 'auctions/create-auction', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Auction an NFT you own',
  },
  {
    id: 'placeBid', method: 'POST', path: '/auctions/{auctionId}/bids',
    handler: 'auctions/place-bid', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Bid; the amount is held and the previous top bid released; a bid in the last minutes extends the end',
  },
  {
    id: 'cancelAuction', method: 'POST', path: '/auctions/{auctionId}/cancel',
    handler: 'auctions/cancel-auction', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Cancel your auction while it has no bid and has not ended; the NFT is yours to trade again',
  },
  {
    id: 'settleAuction', method: 'POST', path: '/auctions/{auctionId}/settle',
    handler: 'auctions/settle-auction', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Settle an ended auction (anyone may): NFT and funds move exactly once',
  },
  {
    // POST /presale/ is the seed clients' list call, so creating a presale has its own path.
    id: 'createPresale', method: 'POST', path: '/presale/create',
    handler: 'presales/create-presale', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: "Create a presale for your collection (creators group only)",
  },
  {
    id: 'purchasePresale', method: 'POST', path: '/presale/{presaleId}/purchase',
    handler: 'presales/purchase-presale', auth: 'user', cache: null, throttle: 'user-write', access: 'write',
    summary: 'Mint from a live presale, within supply and the per-wallet limit',
  },
];

/** Answers requests no route matches (API Gateway's $default route): 404 or 405 in the error shape. */
export const fallbackRoute = {
  id: 'routeNotFound', handler: 'system/not-found', access: 'read', summary: 'Unknown path (404) or method (405)',
} as const;

export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function routesForHandler(handler: string): Route[] {
  return routes.filter((route) => route.handler === handler);
}

/** Matches a concrete path (no trailing slash) against a route path template. */
export function matchPath(template: string, path: string): Record<string, string> | null {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment.startsWith('{') && segment.endsWith('}')) {
      if (!got[i]) return null;
      try {
        params[segment.slice(1, -1)] = decodeURIComponent(got[i]!);
      } catch {
        return null; // malformed percent-encoding matches no route: a 404, not a crash
      }
    } else if (segment !== got[i]) {
      return null;
    }
  }
  return params;
}

/** `/market/` and `/market` are the same route; CloudFront strips the slash before API Gateway sees it. */
export function stripTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') || '/' : path;
}

export type RouteMatch =
  | { kind: 'route'; route: Route; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

export function findRoute(method: string, rawPath: string): RouteMatch {
  const path = stripTrailingSlash(rawPath);
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    const pathParameters = matchPath(route.path, path);
    if (!pathParameters) continue;
    if (route.method === method) return { kind: 'route', route, pathParameters };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
}
