/**
 * What a write scenario needs before Locust starts (`npm run loadtest -- --scenario drop|sweep|trade`), made
 * through the API like any client would, and handed to the locustfile as environment variables:
 *
 *   drop   a creator's new collection and a presale of it starting at `startsAt` (a few seconds after the last
 *          user has spawned and topped up). Locally the creator logs in with POST /local/token and the group
 *          `creators`; against a stage the operator passes a creator's token (--creator-token).
 *   sweep  the collection with the most active listings (or the one given).
 *   trade  nothing: users trade what the seed gave them.
 */
import { randomUUID } from 'node:crypto';
import { routeById, type WriteScenario, type WriteScenarioName } from './scenario.js';

export interface ScenarioSetup {
  /** LOADTEST_* variables for the locustfile. */
  env: Record<string, string>;
  /** One line for the report: what was made or chosen. */
  description: string;
}

export interface SetupOptions {
  target: string;
  /** local: the creator logs in with POST /local/token; otherwise creatorToken is required for a drop. */
  auth: string;
  creatorToken: string | undefined;
  supply: number;
  startsAt: Date;
  endsAt: Date;
  /** sweep: the collection to sweep, instead of the one with the most listings. */
  collectionId: string | undefined;
  settings: WriteScenario;
}

async function call<T>(target: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const response = await fetch(`${target}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`scenario setup: ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function creatorToken(o: SetupOptions): Promise<string> {
  if (o.creatorToken) return o.creatorToken;
  if (o.auth !== 'local') {
    throw new Error('--scenario drop against a deployed stage needs --creator-token (or LOADTEST_CREATOR_TOKEN): a token of a user ' +
      'in the Cognito group "creators" (docs/deploy.md, "Create a test user and get a token")');
  }
  const userId = `creator-loadtest-${Date.now()}`;
  return (await call<{ token: string }>(o.target, 'POST', '/local/token', { userId, groups: ['creators'], expiresInSeconds: 86_400 })).token;
}

async function prepareDrop(o: SetupOptions): Promise<ScenarioSetup> {
  const token = await creatorToken(o);
  const collection = await call<{ collectionId: string }>(o.target, 'POST', routeById('createCollection').path, {
    name: `Load test drop ${o.startsAt.toISOString()}`, image: 'https://images.example.com/loadtest-drop.png', royaltyBps: 500,
  }, token);
  const price = o.settings.price ?? 100;
  const perWalletLimit = o.settings.perWalletLimit ?? 1;
  const presale = await call<{ presaleId: string }>(o.target, 'POST', routeById('createPresale').path, {
    collectionId: collection.collectionId, price, supply: o.supply, perWalletLimit,
    startsAt: o.startsAt.toISOString(), endsAt: o.endsAt.toISOString(),
  }, token);
  return {
    env: {
      LOADTEST_PRESALE_ID: presale.presaleId,
      LOADTEST_PRESALE_STARTS_AT: String(o.startsAt.getTime() / 1000),
      LOADTEST_PRESALE_SUPPLY: String(o.supply),
    },
    description: `presale ${presale.presaleId} of the new collection ${collection.collectionId}: supply ${o.supply}, price ${price}, ` +
      `${perWalletLimit} per wallet, starts ${o.startsAt.toISOString()}`,
  };
}

async function prepareSweep(o: SetupOptions): Promise<ScenarioSetup> {
  const collections: Array<{ collectionId: string; stats: { listedCount: number } }> = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: { items: typeof collections; nextCursor: string | null } = await call(o.target, 'GET', `${routeById('listCollections').path}${query}`);
    collections.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const busiest = [...collections].sort((a, b) => b.stats.listedCount - a.stats.listedCount)[0];
  const chosen = o.collectionId ? collections.find((c) => c.collectionId === o.collectionId) : busiest;
  if (!chosen) throw new Error(o.collectionId ? `--collection ${o.collectionId}: no such collection` : 'scenario setup: the market has no collections');
  return {
    env: { LOADTEST_SWEEP_COLLECTION: chosen.collectionId },
    description: `collection ${chosen.collectionId}, ${chosen.stats.listedCount} listed at the start` +
      `${chosen === busiest ? ` (the most of ${collections.length} collections)` : ''}; relisted ${o.settings.relistMarkupPercent ?? 0} % higher after each buy`,
  };
}

export async function prepareScenario(name: WriteScenarioName, o: SetupOptions): Promise<ScenarioSetup> {
  if (name === 'drop') return prepareDrop(o);
  if (name === 'sweep') return prepareSweep(o);
  return { env: {}, description: `list, buy, offer, bid, cancel by weight ${JSON.stringify(o.settings.weights ?? {})}` };
}
