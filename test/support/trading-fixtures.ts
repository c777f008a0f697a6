import assert from 'node:assert/strict';
import type { ApiAnswer, TestMarketplace } from './marketplace.js';

export const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Users, money and fresh collections through the API, so tests never share state. */
export function tradingFixtures(market: TestMarketplace) {
  const tokens = new Map<string, string>();
  let keyCounter = 0;
  let collectionCounter = 0;

  async function as(userId: string, groups?: string[]): Promise<string> {
    const key = `${userId}|${groups?.join(',') ?? ''}`;
    if (!tokens.has(key)) tokens.set(key, await market.token(userId, groups));
    return tokens.get(key)!;
  }
  const call = async (userId: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> =>
    market.call(method, path, { token: await as(userId), body, headers });
  const expectStatus = (answer: ApiAnswer, status: number) => {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    return answer.body;
  };
  const topUp = async (userId: string, amount: number) => {
    expectStatus(await call(userId, 'POST', '/users/balance-topups', { amount }, { 'idempotency-key': `fixture-${userId}-${++keyCounter}` }), 201);
  };

  /** A fresh collection with a live presale of `supply` at 100 each. */
  /** `traits`: the collection's trait table, which its minted NFTs draw their attributes from. */
  async function freshCollection(
    creator = 'creator-1', supply = 10, traits?: Array<{ key: string; values: Array<{ value: string; weight: number }> }>,
  ): Promise<{ collectionId: string; presaleId: string }> {
    const token = await as(creator, ['creators']);
    const collection = expectStatus(await market.call('POST', '/market/collections', {
      token, body: { name: `Fixture ${process.pid} ${++collectionCounter}`, image: 'https://img.example.com/c.png', royaltyBps: 500, ...(traits ? { traits } : {}) },
    }), 201);
    const presale = expectStatus(await market.call('POST', '/presale/create', {
      token,
      body: {
        collectionId: collection.collectionId, price: 100, supply, perWalletLimit: supply,
        startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: inFuture(3_600_000),
      },
    }), 201);
    return { collectionId: collection.collectionId, presaleId: presale.presaleId };
  }

  /** Mints one NFT of the presale to `owner` (topping up its price first). */
  async function mint(presaleId: string, owner: string): Promise<string> {
    await topUp(owner, 100);
    return expectStatus(await call(owner, 'POST', `/presale/${presaleId}/purchase`, { quantity: 1 }), 201).nftIds[0];
  }

  return { as, call, expectStatus, topUp, freshCollection, mint };
}
