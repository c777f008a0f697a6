import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditTable } from '../support/table-audit.js';
import { runTraitWorkload } from '../support/trait-workload.js';
import { collectAllPages, startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
before(async () => {
  market = await startTestMarketplace();
  fx = tradingFixtures(market);
});
after(async () => { await market.stop(); });

type Attribute = { key: string; value: string };
interface ListingBody { listingId: string; nftId: string; price: number; attributes: Attribute[] }
interface TraitFigures { value: string; tokenCount: number; listedCount: number; floorPrice: number | null; topOffer: { offerId: string; amount: number } | null }

const creator = 'trait-creator';
const traitTable = [
  { key: 'Background', values: [{ value: 'Red', weight: 1 }, { value: 'Blue', weight: 1 }, { value: 'Gold #1', weight: 1 }] },
  { key: 'Eyes', values: [{ value: 'Laser', weight: 1 }, { value: 'Plain', weight: 1 }] },
];

/** A collection with the trait table above and `count` NFTs minted to `owner`, with their traits. */
async function collectionWithTraits(owner: string, count: number): Promise<{ collectionId: string; presaleId: string; nfts: Map<string, Attribute[]> }> {
  const token = await fx.as(creator, ['creators']);
  const collection = fx.expectStatus(await market.call('POST', '/market/collections', {
    token, body: { name: `Traits ${Math.random()}`, image: 'https://img.example.com/t.png', royaltyBps: 0, traits: traitTable },
  }), 201);
  const presale = fx.expectStatus(await market.call('POST', '/presale/create', {
    token, body: {
      collectionId: collection.collectionId, price: 100, supply: 100, perWalletLimit: 20,
      startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: inFuture(3_600_000),
    },
  }), 201);
  for (let i = 0; i < count; i++) await fx.mint(presale.presaleId, owner);
  const mine = fx.expectStatus(await fx.call(owner, 'GET', `/nft/my?collectionId=${collection.collectionId}&limit=100`), 200);
  return { collectionId: collection.collectionId, presaleId: presale.presaleId, nfts: new Map(mine.items.map((n: { nftId: string; attributes: Attribute[] }) => [n.nftId, n.attributes])) };
}

async function traitsOf(collectionId: string): Promise<Map<string, TraitFigures>> {
  const settledAt = await market.settle();
  const body = fx.expectStatus(await market.call('GET', `/market/collections/${collectionId}/traits?minAsOf=${settledAt}`), 200);
  assert.equal(body.collectionId, collectionId);
  return new Map(body.traits.flatMap((t: { key: string; values: TraitFigures[] }) => t.values.map((v) => [`${t.key}:${v.value}`, v])));
}

async function filtered(collectionId: string, attributes: Record<string, string[]>, sort: 'price_asc' | 'price_desc', limit: number): Promise<{ items: ListingBody[]; pages: number }> {
  return collectAllPages<ListingBody>(
    async (cursor) => market.call('POST', '/market/', { body: { collectionId, attributes, sort, limit, ...(cursor ? { cursor } : {}) } }),
    (l) => l.listingId,
  );
}

const has = (attributes: Attribute[], key: string, value: string) => attributes.some((a) => a.key === key && a.value === value);
const expectedFor = (listings: ListingBody[], filter: Record<string, string[]>) =>
  listings.filter((l) => Object.entries(filter).every(([key, values]) => values.some((v) => has(l.attributes, key, v))));

describe('NFT traits', () => {
  let collectionId: string;
  let presaleId: string;
  let nfts: Map<string, Attribute[]>;
  let minted: string;
  const listings: ListingBody[] = [];

  it('minted NFTs draw one value of every key of the collection trait table, counted per trait', async () => {
    ({ collectionId, presaleId, nfts } = await collectionWithTraits('trait-owner', 14));
    assert.equal(nfts.size, 14);
    for (const attributes of nfts.values()) {
      assert.deepEqual(attributes.map((a) => a.key), ['Background', 'Eyes']);
      for (const a of attributes) assert.ok(traitTable.find((t) => t.key === a.key)!.values.some((v) => v.value === a.value), JSON.stringify(a));
    }
    const traits = await traitsOf(collectionId);
    assert.equal(traits.size, 5, 'every value of the table, minted or not');
    for (const { key, values } of traitTable) {
      for (const { value } of values) {
        const count = [...nfts.values()].filter((a) => has(a, key, value)).length;
        assert.deepEqual({ ...traits.get(`${key}:${value}`)!, ...{} }, { ...traits.get(`${key}:${value}`)!, tokenCount: count, listedCount: 0, floorPrice: null, topOffer: null });
      }
    }
  });

  it('listings carry their NFT traits; the traits endpoint counts them and finds each trait floor', async () => {
    let price = 1_000;
    for (const [nftId, attributes] of nfts) {
      price += 37 * ((price % 7) + 1);
      const listing = fx.expectStatus(await fx.call('trait-owner', 'POST', '/market/listings', { nftId, price }), 201);
      assert.deepEqual(listing.attributes, attributes);
      listings.push(listing);
    }
    const traits = await traitsOf(collectionId);
    for (const [name, figures] of traits) {
      const [key, value] = name.split(':') as [string, string];
      const with_ = listings.filter((l) => has(l.attributes, key, value));
      assert.equal(figures.listedCount, with_.length, name);
      assert.equal(figures.floorPrice, with_.length ? Math.min(...with_.map((l) => l.price)) : null, name);
    }
  });

  it('filters listings by traits (OR within a key, AND across keys), by price, paging without repeats', async () => {
    const filters: Array<Record<string, string[]>> = [
      { Background: ['Red'] },
      { Background: ['Red', 'Gold #1'] },
      { Background: ['Red', 'Red'] },
      { Background: ['Red', 'Blue'], Eyes: ['Laser'] },
      { Eyes: ['Plain', 'Laser'], Background: ['Blue'] },
      { Eyes: ['Nope'] },
    ];
    for (const filter of filters) {
      const want = expectedFor(listings, filter);
      const asc = await filtered(collectionId, filter, 'price_asc', 2);
      assert.deepEqual(asc.items.map((l) => l.listingId), [...want].sort((a, b) => a.price - b.price).map((l) => l.listingId), JSON.stringify(filter));
      assert.ok(asc.items.every((l) => Object.entries(filter).every(([k, vs]) => vs.some((v) => has(l.attributes, k, v)))));
      const desc = await filtered(collectionId, filter, 'price_desc', 3);
      assert.deepEqual(desc.items.map((l) => l.listingId), [...want].sort((a, b) => b.price - a.price).map((l) => l.listingId), JSON.stringify(filter));
    }
    // The GET twin takes the same filter as URL-encoded JSON.
    const filter = { Background: ['Red', 'Blue'], Eyes: ['Laser'] };
    const viaGet = fx.expectStatus(await market.call('GET', `/market?collectionId=${collectionId}&sort=price_asc&limit=100&attributes=${encodeURIComponent(JSON.stringify(filter))}`), 200);
    assert.deepEqual(viaGet.items.map((l: ListingBody) => l.listingId), (await filtered(collectionId, filter, 'price_asc', 100)).items.map((l) => l.listingId));
    // With a price range too.
    const ranged = fx.expectStatus(await market.call('POST', '/market', { body: { collectionId, attributes: { Eyes: ['Laser', 'Plain'] }, sort: 'price_asc', minPrice: 1_200, maxPrice: 1_600 } }), 200);
    assert.deepEqual(ranged.items.map((l: ListingBody) => l.listingId), listings.filter((l) => l.price >= 1_200 && l.price <= 1_600).sort((a, b) => a.price - b.price).map((l) => l.listingId));
  });

  it('refuses a trait filter without a collection, sorted by newest, malformed, or with a cursor of another filter', async () => {
    const refused = async (body: unknown) => fx.expectStatus(await market.call('POST', '/market', { body }), 400).error.code;
    assert.equal(await refused({ attributes: { Eyes: ['Laser'] }, sort: 'price_asc' }), 'VALIDATION_FAILED');
    assert.equal(await refused({ collectionId, attributes: { Eyes: ['Laser'] } }), 'VALIDATION_FAILED');
    assert.equal(await refused({ collectionId, attributes: {}, sort: 'price_asc' }), 'VALIDATION_FAILED');
    assert.equal(await refused({ collectionId, attributes: { Eyes: [] }, sort: 'price_asc' }), 'VALIDATION_FAILED');
    assert.equal(fx.expectStatus(await market.call('GET', `/market?collectionId=${collectionId}&sort=price_asc&attributes=%7Bnot-json`), 400).error.code, 'VALIDATION_FAILED');
    const first = fx.expectStatus(await market.call('POST', '/market', { body: { collectionId, attributes: { Eyes: ['Laser', 'Plain'] }, sort: 'price_asc', limit: 1 } }), 200);
    assert.ok(first.nextCursor);
    assert.equal(await refused({ collectionId, attributes: { Eyes: ['Laser'] }, sort: 'price_asc', limit: 1, cursor: first.nextCursor }), 'INVALID_CURSOR');
    assert.equal(await refused({ collectionId, attributes: { Eyes: ['Laser', 'Plain'] }, sort: 'price_desc', limit: 1, cursor: first.nextCursor }), 'INVALID_CURSOR');
  });

  it('a buy and a cancellation take listings off their traits; a mint adds a token', async () => {
    const cheapest = [...listings].sort((a, b) => a.price - b.price)[0]!;
    await fx.topUp('trait-buyer', cheapest.price);
    fx.expectStatus(await fx.call('trait-buyer', 'POST', `/market/listings/${cheapest.listingId}/buy`), 200);
    const cancelled = [...listings].sort((a, b) => a.price - b.price)[1]!;
    fx.expectStatus(await fx.call('trait-owner', 'DELETE', `/market/listings/${cancelled.listingId}`), 200);
    listings.splice(listings.indexOf(cheapest), 1);
    listings.splice(listings.indexOf(cancelled), 1);
    minted = await fx.mint(presaleId, 'trait-minter');
    const mintedTraits = fx.expectStatus(await fx.call('trait-minter', 'GET', `/nft/my?collectionId=${collectionId}`), 200).items
      .find((n: { nftId: string }) => n.nftId === minted).attributes as Attribute[];
    nfts.set(minted, mintedTraits);

    const traits = await traitsOf(collectionId);
    for (const [name, figures] of traits) {
      const [key, value] = name.split(':') as [string, string];
      const with_ = listings.filter((l) => has(l.attributes, key, value));
      assert.equal(figures.tokenCount, [...nfts.values()].filter((a) => has(a, key, value)).length, name);
      assert.equal(figures.listedCount, with_.length, name);
      assert.equal(figures.floorPrice, with_.length ? Math.min(...with_.map((l) => l.price)) : null, name);
    }
    const all = await filtered(collectionId, { Eyes: ['Laser', 'Plain'] }, 'price_asc', 4);
    assert.deepEqual(all.items.map((l) => l.listingId).sort(), listings.map((l) => l.listingId).sort(), 'sold and cancelled listings left the filter');
  });

  it('a trait offer: in its own offer book and holders\' received offers, the trait top offer, refused by an NFT without the trait', async () => {
    // trait-minter's NFT; one offer is on its Background, one on another.
    const nftId = minted;
    const attributes = nfts.get(minted)!;
    const own = attributes.find((a) => a.key === 'Background')!;
    const other = { key: 'Background', value: traitTable[0]!.values.find((v) => v.value !== own.value)!.value };
    await fx.topUp('trait-bidder', 700);
    const matching = fx.expectStatus(await fx.call('trait-bidder', 'POST', '/offers', { collectionId, trait: own, amount: 300, expiresAt: inFuture(3_600_000) }), 201);
    const mismatched = fx.expectStatus(await fx.call('trait-bidder', 'POST', '/offers', { collectionId, trait: other, amount: 400, expiresAt: inFuture(3_600_000) }), 201);
    assert.deepEqual(matching.trait, own);

    const book = fx.expectStatus(await market.call('GET', `/offers?collectionId=${collectionId}&trait=${encodeURIComponent(`${other.key}:${other.value}`)}`), 200);
    assert.deepEqual(book.items.map((o: { offerId: string }) => o.offerId), [mismatched.offerId]);
    const collectionBook = fx.expectStatus(await market.call('GET', `/offers?collectionId=${collectionId}`), 200);
    assert.deepEqual(collectionBook.items, [], 'trait offers are not in the collection offer book');
    const received = fx.expectStatus(await fx.call('trait-minter', 'GET', '/offers/my?role=received&status=open'), 200);
    assert.deepEqual(received.items.map((o: { offerId: string }) => o.offerId).sort(), [matching.offerId, mismatched.offerId].sort());

    let traits = await traitsOf(collectionId);
    assert.deepEqual(traits.get(`${own.key}:${own.value}`)!.topOffer, { offerId: matching.offerId, amount: 300 });
    assert.deepEqual(traits.get(`${other.key}:${other.value}`)!.topOffer, { offerId: mismatched.offerId, amount: 400 });

    const refused = fx.expectStatus(await fx.call('trait-minter', 'POST', `/offers/${mismatched.offerId}/accept`, { nftId }), 409);
    assert.equal(refused.error.code, 'TRAIT_MISMATCH');
    const sale = fx.expectStatus(await fx.call('trait-minter', 'POST', `/offers/${matching.offerId}/accept`, { nftId }), 200);
    assert.equal(sale.buyer, 'trait-bidder');
    traits = await traitsOf(collectionId);
    assert.equal(traits.get(`${own.key}:${own.value}`)!.topOffer, null, 'the accepted offer left the trait top offer');
    assert.deepEqual(traits.get(`${other.key}:${other.value}`)!.topOffer, { offerId: mismatched.offerId, amount: 400 });
  });

  it('refuses a trait offer on a trait the collection lacks, or malformed', async () => {
    await fx.topUp('trait-bidder', 100);
    const offer = (body: object) => fx.call('trait-bidder', 'POST', '/offers', { amount: 10, expiresAt: inFuture(3_600_000), ...body });
    assert.equal(fx.expectStatus(await offer({ collectionId, trait: { key: 'Eyes', value: 'Nope' } }), 404).error.code, 'TRAIT_NOT_FOUND');
    assert.equal(fx.expectStatus(await offer({ nftId: [...nfts.keys()][0], trait: { key: 'Eyes', value: 'Laser' } }), 400).error.code, 'VALIDATION_FAILED');
    assert.equal(fx.expectStatus(await offer({ collectionId, trait: { key: 'Ey:es', value: 'Laser' } }), 400).error.code, 'VALIDATION_FAILED');
    assert.equal(fx.expectStatus(await market.call('GET', `/offers?collectionId=${collectionId}&trait=NoColon`), 400).error.code, 'VALIDATION_FAILED');
  });

  it('refuses a trait table with repeated keys or values, or too many values', async () => {
    const token = await fx.as(creator, ['creators']);
    const create = (traits: unknown) => market.call('POST', '/market/collections', { token, body: { name: 'Bad traits', image: 'https://img.example.com/t.png', royaltyBps: 0, traits } });
    assert.equal((await create([{ key: 'A', values: [{ value: 'x', weight: 1 }] }, { key: 'A', values: [{ value: 'y', weight: 1 }] }])).status, 400);
    assert.equal((await create([{ key: 'A', values: [{ value: 'x', weight: 1 }, { value: 'x', weight: 2 }] }])).status, 400);
    assert.equal((await create([{ key: 'A', values: Array.from({ length: 100 }, (_, i) => ({ value: `v${i}`, weight: 1 })) }])).status, 400);
    assert.equal((await create([{ key: ' ', values: [{ value: 'x', weight: 1 }] }])).status, 400);
  });

  it('leaves every trait figure as a recount of the table finds it, after random trades too', async () => {
    // The long run: npm run trait-audit -- --trades 20000.
    const run = await runTraitWorkload(market, { trades: 150, seed: 5, workers: 3 });
    assert.deepEqual(run.serverErrors, []);
    const kinds = [...run.outcomes.keys()];
    for (const kind of ['list 201', 'buy 200', 'accept trait-offer 200']) assert.ok(kinds.includes(kind), `some ${kind}: ${kinds.join(', ')}`);
    await market.settle();
    const audit = await auditTable(market.doc, market.tableName);
    assert.deepEqual(audit.problems, []);
    assert.ok(audit.totals.traitValues > 200, `${audit.totals.traitValues} trait values recounted`);
  });
});
