// Identity: every user route answers 401 to a missing, malformed or forged token, whatever check it fails,
// and every user handler answers 401 when invoked without the authorizer's claims (the HTTP API
// trailing-slash bypass), so no route trusts that an authorizer ran.
import assert from 'node:assert/strict';
import type { webcrypto } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { routes, type Route } from '../../functions/routes.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import {
  apiEvent, describeDiff, gatewayAnswers, isErrorShape, lambdaContext, pathFor, pathParameterNames, snapshotDiff,
  settledSnapshot, withGeneratedKeys,
} from './support.js';

const userRoutes = routes.filter((route) => route.auth === 'user');

let market: TestMarketplace;
let issuerKey: CryptoKey;
let otherKey: CryptoKey;
let tableBefore: string[];
let validToken: string;
let requestsSent = 0;

before(async () => {
  const { result, keys } = await withGeneratedKeys(() => startTestMarketplace());
  market = result;
  assert.equal(keys.length, 1, 'the local issuer made one key pair');
  issuerKey = keys[0]!.privateKey as CryptoKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  validToken = await forge({});
  tableBefore = await settledSnapshot(market);
});
after(async () => { await market?.stop(); });

const now = () => Math.floor(Date.now() / 1000);

/** A token like the local issuer's, with the given claims replaced (undefined removes one). */
async function forge(
  changes: Record<string, unknown>,
  { key = issuerKey, header = { alg: 'RS256', kid: 'local-1' } }: { key?: CryptoKey; header?: { alg: string; kid?: string } } = {},
): Promise<string> {
  const claims: JWTPayload = {
    sub: 'user-1', iss: market.runtime.issuer.issuer, aud: market.runtime.issuer.audience, iat: now(),
    exp: now() + 3600, token_use: 'id', ...changes,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Each way a bearer token can be wrong, as the Authorization header value (null: no header). */
async function badCredentials(): Promise<Array<[string, string | null]>> {
  const [header, payload] = validToken.split('.');
  const otherSigned = await forge({}, { key: otherKey });
  const publicPem = await exportSPKI((await crypto.subtle.importKey(
    'jwk', { ...(await market.runtime.issuer.jwks()).keys[0] as webcrypto.JsonWebKey }, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify'],
  )) as CryptoKey);
  const hmacKey = new TextEncoder().encode(publicPem);
  return [
    ['no token', null],
    ['empty bearer', 'Bearer'],
    ['malformed token', 'Bearer not-a-jwt'],
    ['three garbage segments', 'Bearer abc.def.ghi'],
    ['wrong scheme', `Basic ${validToken}`],
    ['wrong signature (another key, same kid)', `Bearer ${otherSigned}`],
    ['payload changed after signing', `Bearer ${header}.${b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'user-2' })}.${validToken.split('.')[2]}`],
    ['another issuer', `Bearer ${await forge({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Attacker' })}`],
    ['another audience', `Bearer ${await forge({ aud: 'some-other-app' })}`],
    ['expired', `Bearer ${await forge({ iat: now() - 7200, exp: now() - 60 })}`],
    ['not yet valid', `Bearer ${await forge({ nbf: now() + 600 })}`],
    ['no expiry', `Bearer ${await forge({ exp: undefined })}`],
    ['no sub', `Bearer ${await forge({ sub: undefined })}`],
    ['empty sub', `Bearer ${await forge({ sub: '' })}`],
    ['sub that is not a user id', `Bearer ${await forge({ sub: 'USER#user-2' })}`],
    ['unsigned (alg none)', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`],
    ['HS256 signed with the public key', `Bearer ${await new SignJWT({ sub: 'user-1', iss: market.runtime.issuer.issuer, aud: market.runtime.issuer.audience, exp: now() + 3600 }).setProtectedHeader({ alg: 'HS256', kid: 'local-1' }).sign(hmacKey)}`],
  ];
}

/**
 * Each user route's answer to a verified user's `{}` body (no body on a GET) on ids that do not exist: the
 * route's own refusal, past the identity check. A new user route must say its answer here.
 */
const answerPastIdentity: Record<string, [number, string | null]> = {
  getAccount: [200, null], listMyNfts: [200, null], listMyOffers: [200, null], listMyTopups: [200, null], listMyActivity: [200, null],
  readFeed: [400, 'VALIDATION_FAILED'], createTopup: [400, 'VALIDATION_FAILED'], createListing: [400, 'VALIDATION_FAILED'],
  cancelListing: [404, 'LISTING_NOT_FOUND'], buyListing: [404, 'LISTING_NOT_FOUND'], sweepCollection: [400, 'VALIDATION_FAILED'],
  createListingsBatch: [400, 'VALIDATION_FAILED'], cancelListingsBatch: [400, 'VALIDATION_FAILED'], createCollection: [403, 'NOT_CREATOR'],
  createOffer: [400, 'VALIDATION_FAILED'], cancelOffer: [404, 'OFFER_NOT_FOUND'], acceptOffer: [404, 'OFFER_NOT_FOUND'],
  createAuction: [400, 'VALIDATION_FAILED'], placeBid: [400, 'VALIDATION_FAILED'], cancelAuction: [404, 'AUCTION_NOT_FOUND'],
  settleAuction: [404, 'AUCTION_NOT_FOUND'], createPresale: [403, 'NOT_CREATOR'], purchasePresale: [400, 'VALIDATION_FAILED'],
  listMyWithdrawals: [200, null], createWithdrawal: [400, 'VALIDATION_FAILED'],
};

function request(route: Route, authorization: string | null) {
  requestsSent++;
  const params = Object.fromEntries(pathParameterNames(route).map((name) => [name, 'some-id']));
  return market.call(route.method, pathFor(route, params), {
    headers: { ...(authorization === null ? {} : { authorization }), 'idempotency-key': 'identity-test', 'content-type': 'application/json' },
    ...(route.method === 'GET' ? {} : { rawBody: '{}' }),
  });
}

describe('tokens on every user route', () => {
  it('are accepted when valid: the forged-token cases below fail on one check each, not on the signature', async () => {
    assert.deepEqual(userRoutes.map((r) => r.id).sort(), Object.keys(answerPastIdentity).sort(), 'an answer for every user route');
    for (const route of userRoutes) {
      const answer = await request(route, `Bearer ${validToken}`);
      assert.deepEqual([answer.status, answer.body?.error?.code ?? null], answerPastIdentity[route.id], `${route.id} with a valid token: ${JSON.stringify(answer.body)}`);
    }
  });

  it('answer 401 to a missing, malformed, forged, expired or subject-less token', async () => {
    const cases = await badCredentials();
    let checked = 0;
    for (const route of userRoutes) {
      for (const [name, authorization] of cases) {
        const answer = await request(route, authorization);
        assert.equal(answer.status, 401, `${route.method} ${route.path} with ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
        assert.ok(
          JSON.stringify(answer.body) === JSON.stringify(gatewayAnswers[401]) || (isErrorShape(answer.body) && answer.body.error.code === 'UNAUTHORIZED'),
          `${route.id} with ${name}: ${JSON.stringify(answer.body)}`,
        );
        checked++;
      }
    }
    assert.equal(checked, userRoutes.length * cases.length);
    console.log(`identity: ${userRoutes.length} user routes × ${cases.length} bad credentials = ${checked} requests, all 401`);
  });
});

describe('user handlers invoked without the authorizer (the trailing-slash bypass)', () => {
  const validClaims = { jwt: { claims: { sub: 'user-1', iss: 'x', aud: 'y' }, scopes: [] } };
  const bypasses: Array<[string, (route: Route) => Parameters<typeof apiEvent>[1]]> = [
    ['no authorizer at all', () => ({})],
    ['no authorizer, trailing slash, $default route', (route) => ({ routeKey: '$default', path: `${pathFor(route)}/` })],
    ['no authorizer, a valid bearer token in the headers', () => ({ headers: { authorization: `Bearer ${validToken}` } })],
    ['no authorizer, identity in headers and body', () => ({ headers: { 'x-user-id': 'user-1', 'x-amzn-oidc-identity': 'user-1' }, body: '{"sub":"user-1","userId":"user-1"}' })],
    ['an authorizer with no claims', () => ({ authorizer: { jwt: { scopes: [] } } })],
    ['claims without sub', () => ({ authorizer: { jwt: { claims: { iss: 'x' }, scopes: [] } } })],
    ['an empty sub', () => ({ authorizer: { jwt: { claims: { sub: '' }, scopes: [] } } })],
    ['a non-string sub', () => ({ authorizer: { jwt: { claims: { sub: 42 }, scopes: [] } } })],
    ['a Lambda authorizer context instead of JWT claims', () => ({ authorizer: { lambda: { sub: 'user-1' } } })],
  ];

  it('answer 401 UNAUTHORIZED in the error shape, and serve the same event once claims are there', async () => {
    let invoked = 0;
    for (const route of userRoutes) {
      const module = (await import(`../../functions/handlers/${route.handler}.ts`)) as {
        handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
      };
      const pathParameters = Object.fromEntries(pathParameterNames(route).map((name) => [name, 'some-id']));
      for (const [name, variant] of bypasses) {
        const event = apiEvent(route, { pathParameters, body: '{}', headers: { 'idempotency-key': 'bypass-test' }, ...variant(route) });
        const result = await module.handler(event, lambdaContext(route.id));
        const body = JSON.parse(result.body);
        assert.equal(result.statusCode, 401, `${route.id} invoked with ${name}: ${result.statusCode} ${result.body}`);
        assert.ok(isErrorShape(body), result.body);
        assert.equal(body.error.code, 'UNAUTHORIZED');
        invoked++;
      }
      const control = await module.handler(apiEvent(route, { pathParameters, body: '{}', headers: { 'idempotency-key': 'bypass-test' }, authorizer: validClaims }), lambdaContext(route.id));
      assert.deepEqual([control.statusCode, JSON.parse(control.body)?.error?.code ?? null], answerPastIdentity[route.id], `${route.id} with claims: ${control.body}`);
    }
    console.log(`identity: ${userRoutes.length} user handlers × ${bypasses.length} authorizer bypasses = ${invoked} direct invocations, all 401`);
  });
});

describe('after every rejected identity', () => {
  it('the table is unchanged', async () => {
    const diff = snapshotDiff(tableBefore, await settledSnapshot(market));
    assert.ok(diff.added.length === 0 && diff.removed.length === 0, describeDiff(diff));
    assert.ok(requestsSent > 0);
  });
});
