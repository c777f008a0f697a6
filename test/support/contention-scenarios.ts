/**
 * The contention goals as scenarios over HTTP, shared by test/api/contention.test.ts (which asserts) and
 * `npm run bench:contention` (which measures, also against an older build of the API for a before/after).
 */
export interface Answer {
  status: number;
  body: any;
}

export interface Api {
  /** A call as `userId` (groups: Cognito groups, e.g. creators). */
  call(userId: string, method: string, path: string, body?: unknown, headers?: Record<string, string>, groups?: string[]): Promise<Answer>;
  /** Public call. */
  get(path: string, body?: unknown): Promise<Answer>;
}

export type Tally = Record<string, number>;

export function tally(answers: Answer[]): Tally {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const key = a.status < 300 ? String(a.status) : `${a.status} ${a.body?.error?.code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort());
}

/**
 * Runs every task, at most `width` in flight. In AWS each request has its own Lambda environment; locally one
 * process serves them all through one client, so a burst is offered as `width` concurrent clients that each
 * send their next request the moment they have an answer (the local 10 s handler timeout would otherwise
 * count time spent queueing in this process).
 */
async function inFlight<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  }));
  return results;
}
const inBatches = <T>(tasks: Array<() => Promise<T>>) => inFlight(tasks, 40);
/**
 * Concurrent clients of a burst (`CONTENTION_CLIENTS`): enough to keep shards and listings contended, few
 * enough that a request's wait in this one local process stays under the local 10 s handler timeout.
 */
const burstClients = () => Number(process.env.CONTENTION_CLIENTS ?? 24);

function expectAll(answers: Answer[], status: number, what: string): void {
  const bad = answers.find((a) => a.status !== status);
  if (bad) throw new Error(`${what}: ${bad.status} ${JSON.stringify(bad.body)} (${JSON.stringify(tally(answers))})`);
}

let keyCounter = 0;
const run = `${Date.now().toString(36)}`;
const topUp = (api: Api, userId: string, amount: number) =>
  api.call(userId, 'POST', '/users/balance-topups', { amount }, { 'idempotency-key': `bench-${run}-${++keyCounter}` });

async function createPresale(api: Api, creator: string, body: Record<string, unknown>) {
  const collection = await api.call(creator, 'POST', '/market/collections', {
    name: `Hot ${creator} ${run}`, image: 'https://img.example.com/hot.png', royaltyBps: 500,
  }, {}, ['creators']);
  expectAll([collection], 201, 'create collection');
  const presale = await api.call(creator, 'POST', '/presale/create', { collectionId: collection.body.collectionId, ...body }, {}, ['creators']);
  expectAll([presale], 201, 'create presale');
  return { collectionId: collection.body.collectionId as string, presaleId: presale.body.presaleId as string };
}

export interface HotCollectionResult {
  collectionId: string;
  creator: string;
  tally: Tally;
  seconds: number;
  prices: number[];
  listedLeft: number;
}

/** `buyers` buyers each buy a different listing of one collection (10 sellers, one creator), all at once. */
export async function hotCollectionBuys(api: Api, buyers: number): Promise<HotCollectionResult> {
  const creator = `hot-creator-${run}`;
  const sellers = Array.from({ length: 10 }, (_, i) => `seller-${run}-${i + 1}`);
  const perSeller = Math.ceil(buyers / sellers.length);
  if (perSeller > 20) throw new Error('at most 200 buyers: a seller mints at most 20 in one purchase');
  const { collectionId, presaleId } = await createPresale(api, creator, {
    price: 100, supply: perSeller * sellers.length, perWalletLimit: perSeller,
    startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  expectAll(await inBatches(sellers.map((s) => () => topUp(api, s, 100 * perSeller))), 201, 'seller top-ups');
  const minted = await inBatches(sellers.map((s) => () => api.call(s, 'POST', `/presale/${presaleId}/purchase`, { quantity: perSeller })));
  expectAll(minted, 201, 'sellers mint');
  const nfts = minted.flatMap((m, i) => (m.body.nftIds as string[]).map((nftId) => ({ seller: sellers[i]!, nftId }))).slice(0, buyers);
  const prices = nfts.map((_, i) => 1_000 + i);
  const listed = await inBatches(nfts.map(({ seller, nftId }, i) => () => api.call(seller, 'POST', '/market/listings', { nftId, price: prices[i] })));
  expectAll(listed, 201, 'listings');
  const buyerIds = Array.from({ length: buyers }, (_, i) => `buyer-${run}-${i + 1}`);
  expectAll(await inBatches(buyerIds.map((b) => () => topUp(api, b, 10_000))), 201, 'buyer top-ups');
  const started = performance.now();
  const bought = await inFlight(buyerIds.map((b, i) => () => api.call(b, 'POST', `/market/listings/${listed[i]!.body.listingId}/buy`)), burstClients());
  return {
    collectionId, creator, tally: tally(bought), seconds: (performance.now() - started) / 1000, prices,
    listedLeft: perSeller * sellers.length - buyers,
  };
}

export interface DropResult {
  presaleId: string;
  tally: Tally;
  seconds: number;
}

/** A presale of `supply`, one per wallet, and `buyers` funded buyers who all buy at its start second. */
export async function drop(api: Api, buyers: number, supply: number): Promise<DropResult> {
  const startsAt = new Date(Date.now() + 5_000 + buyers * 10);
  const { presaleId } = await createPresale(api, `drop-creator-${run}`, {
    price: 500, supply, perWalletLimit: 1, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
  });
  const fans = Array.from({ length: buyers }, (_, i) => `fan-${run}-${i + 1}`);
  expectAll(await inBatches(fans.map((b) => () => topUp(api, b, 1_000))), 201, 'fan top-ups');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startsAt.getTime() - Date.now())));
  const started = performance.now();
  const answers = await inFlight(fans.map((b) => () => api.call(b, 'POST', `/presale/${presaleId}/purchase`, { quantity: 1 })), burstClients());
  return { presaleId, tally: tally(answers), seconds: (performance.now() - started) / 1000 };
}
