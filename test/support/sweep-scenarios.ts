/**
 * Sweeps racing on one collection, over HTTP: shared by test/api/sweep.test.ts (a small race it asserts on) and
 * `npm run bench:sweep` (21 sweepers x 50, measured).
 */
import type { Answer, Api } from './contention-scenarios.js';

export interface SweepOutcome {
  sweeper: string;
  bought: Array<{ listingId: string; nftId: string; price: number }>;
  skipped: Array<{ listingId: string; reason: string }>;
  spent: number;
  /** Times the sweeper sent its sweep again with the same key (a 503: SWEEP_INCOMPLETE, TIMEOUT, the database; 409 IDEMPOTENCY_IN_PROGRESS). */
  resent: number;
}

export interface SweepRace {
  collectionId: string;
  listings: number;
  balanceEach: number;
  outcomes: SweepOutcome[];
  seconds: number;
  /** Listings in more than one sweeper's `bought`: must be none. */
  soldTwice: string[];
}

const expect = (answer: Answer, status: number, what: string) => {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

const run = Date.now().toString(36);
/** Item errors of a machine too busy for the local timeouts: the item is sent again. */
const retryable = new Set(['NOT_TRIED', 'DATABASE_UNAVAILABLE', 'DATABASE_BUSY', 'CONCURRENT_UPDATE']);
let keys = 0;

/**
 * A setup call under its own Idempotency-Key, sent again while it answers 503 (a machine too busy for the local
 * 10 s timeout): the key makes the resend the same request.
 */
async function setUp(api: Api, userId: string, path: string, body: unknown, groups?: string[]): Promise<Answer> {
  const headers = { 'idempotency-key': `setup-${run}-${++keys}` };
  for (let attempt = 1; ; attempt++) {
    const answer = await api.call(userId, 'POST', path, body, headers, groups);
    if (answer.status !== 503 || attempt >= 10) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * `listings` listings of one fresh collection (minted by sellers of 20, listed through the batch route), then
 * `sweepers` funded users who all sweep it at once for up to `maxItems` each. A sweep answered 503 (SWEEP_INCOMPLETE, TIMEOUT:
 * out of its invocation's time; the database) or 409 IDEMPOTENCY_IN_PROGRESS is sent again with the same key, as a client would.
 */
export async function sweepRace(api: Api, options: { sweepers: number; maxItems: number; listings: number }): Promise<SweepRace> {
  const tag = `${run}-${++keys}`;
  const creator = `sweep-creator-${tag}`;
  const perSeller = 20;
  const sellers = Array.from({ length: Math.ceil(options.listings / perSeller) }, (_, i) => `sweep-seller-${tag}-${i + 1}`);
  const collection = expect(await setUp(api, creator, '/market/collections', {
    name: `Swept ${tag}`, image: 'https://img.example.com/swept.png', royaltyBps: 500,
  }, ['creators']), 201, 'collection');
  const presale = expect(await setUp(api, creator, '/presale/create', {
    collectionId: collection.collectionId, price: 100, supply: sellers.length * perSeller, perWalletLimit: perSeller,
    startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  }, ['creators']), 201, 'presale');
  const topUp = async (userId: string, amount: number) => expect(await setUp(api, userId, '/users/balance-topups', { amount }), 201, 'top-up');

  let listed = 0;
  const listAll = async (seller: string, s: number) => {
    await topUp(seller, 100 * perSeller);
    const { nftIds } = expect(await setUp(api, seller, `/presale/${presale.presaleId}/purchase`, { quantity: perSeller }), 201, 'mint');
    // Prices 1,000 to 1,199 with ties, so cheapest-first has equal prices to order too.
    let items = (nftIds as string[]).slice(0, Math.max(0, options.listings - s * perSeller))
      .map((nftId, i) => ({ nftId, price: 1_000 + ((s * perSeller + i) * 37) % 200 }));
    // What a slow moment leaves undone (NOT_TRIED, the database out of time, a 503) is sent again, under the same key.
    const headers = { 'idempotency-key': `batch-${tag}-${seller}` };
    for (let round = 0; items.length > 0 && round < 10; round++) {
      const answer = await api.call(seller, 'POST', '/market/listings/batch', { items }, headers);
      if (answer.status === 503) continue;
      const { results } = expect(answer, 200, 'batch listing');
      const refused = (results as Array<{ error?: { code: string } }>).filter((r) => r.error && !retryable.has(r.error.code));
      if (refused.length > 0) throw new Error(`batch listing refused: ${JSON.stringify(refused[0])}`);
      const notTried = new Set((results as Array<{ nftId: string; error?: unknown }>).filter((r) => r.error).map((r) => r.nftId));
      listed += items.length - notTried.size;
      items = items.filter((item) => notTried.has(item.nftId));
    }
  };
  // Eight sellers at a time: the setup is not what is measured.
  for (let first = 0; first < sellers.length; first += 8) {
    await Promise.all(sellers.slice(first, first + 8).map((seller, i) => listAll(seller, first + i)));
  }

  const sweepers = Array.from({ length: options.sweepers }, (_, i) => `sweeper-${tag}-${i + 1}`);
  const balanceEach = 1_200 * options.maxItems;
  await Promise.all(sweepers.map((sweeper) => topUp(sweeper, balanceEach)));

  const started = performance.now();
  const outcomes = await Promise.all(sweepers.map(async (sweeper): Promise<SweepOutcome> => {
    const body = { collectionId: collection.collectionId, maxItems: options.maxItems, maxPricePerItem: 5_000 };
    const headers = { 'idempotency-key': `sweep-${tag}-${sweeper}` };
    for (let resent = 0; ; resent++) {
      const answer = await api.call(sweeper, 'POST', '/market/sweep', body, headers);
      if (answer.status === 200) return { sweeper, ...answer.body, resent };
      const code = answer.body?.error?.code;
      if (!['SWEEP_INCOMPLETE', 'IDEMPOTENCY_IN_PROGRESS', 'TIMEOUT', 'DATABASE_UNAVAILABLE', 'DATABASE_BUSY'].includes(code) || resent >= 100) {
        throw new Error(`sweep by ${sweeper}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const seen = new Map<string, number>();
  for (const outcome of outcomes) for (const b of outcome.bought) seen.set(b.listingId, (seen.get(b.listingId) ?? 0) + 1);
  return {
    collectionId: collection.collectionId, listings: listed, balanceEach, outcomes, seconds,
    soldTwice: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
  };
}
