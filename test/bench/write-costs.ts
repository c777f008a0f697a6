/**
 * `npm run bench:writes`: what each trading write costs in DynamoDB, measured, not estimated.
 * Runs the local marketplace in this process (small seed), calls each write route through the gateway, and
 * reads the round trips and consumed capacity (ReturnConsumedCapacity) the handler used. Writes JSON to
 * bench/results/write-costs.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { capacityMeter, type CapacityReading } from '../../functions/data/capacity-meter.js';
import { startLocalRuntime } from '../../local/runtime.js';
import { testSeedSize } from '../../local/seed.js';
import { commandLine } from '../../bin/cli-args.js';

commandLine(`Usage: npm run bench:writes
  What each trading write costs in DynamoDB (round trips, consumed capacity), on the local marketplace (small seed,
  DynamoDB Local on DYNAMODB_PORT, default 8400). Writes bench/results/write-costs.json and prints a table.`, {});

process.env.ANTI_SNIPING_SECONDS = '1';
capacityMeter.enable();
const runtime = await startLocalRuntime({
  port: 0, tableName: 'write-costs', seedSize: testSeedSize, dynamoDbPort: Number(process.env.DYNAMODB_PORT ?? 8400), throttleStage: null,
});

const tokens = new Map<string, string>();
async function call(user: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  if (!tokens.has(user)) tokens.set(user, await runtime.issuer.sign({ sub: user, groups: ['creators'] }));
  const response = await fetch(`${runtime.url}${path}`, {
    method, headers: { authorization: `Bearer ${tokens.get(user)}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = await response.json() as any;
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

const rows: Array<{ operation: string } & Omit<CapacityReading, 'operations'> & { operations: string }> = [];
async function measure<T>(operation: string, run: () => Promise<T>): Promise<T> {
  capacityMeter.reset();
  const result = await run();
  const reading = capacityMeter.reset();
  rows.push({ operation, ...reading, operations: reading.operations.join(' ') });
  return result;
}
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
let key = 0;
const topUp = (user: string, amount: number) => call(user, 'POST', '/users/balance-topups', { amount }, { 'idempotency-key': `bench-${++key}` });

try {
  await measure('top-up (new key)', () => topUp('bench-buyer', 10_000_000));
  await measure('top-up (retried key)', () => call('bench-buyer', 'POST', '/users/balance-topups', { amount: 10_000_000 }, { 'idempotency-key': 'bench-1' }));
  const collection = await measure('create collection', () => call('bench-creator', 'POST', '/market/collections', { name: 'Bench', image: 'https://x.example.com/b.png', royaltyBps: 500 }));
  const presale = await measure('create presale', () => call('bench-creator', 'POST', '/presale/create', {
    collectionId: collection.collectionId, price: 100, supply: 100, perWalletLimit: 20, startsAt: soon(-1000), endsAt: soon(3_600_000),
  }));
  await topUp('bench-seller', 10_000);
  await measure('presale purchase, quantity 1', () => call('bench-seller', 'POST', `/presale/${presale.presaleId}/purchase`, { quantity: 1 }));
  const minted = await measure('presale purchase, quantity 5', () => call('bench-seller', 'POST', `/presale/${presale.presaleId}/purchase`, { quantity: 5 }));
  const [a, b, c, d] = minted.nftIds as string[];
  const listing = await measure('create listing (new floor)', () => call('bench-seller', 'POST', '/market/listings', { nftId: a, price: 5_000 }));
  await measure('create listing (above floor)', () => call('bench-seller', 'POST', '/market/listings', { nftId: b, price: 9_000 }));
  await measure('cancel listing (was the floor)', () => call('bench-seller', 'DELETE', `/market/listings/${listing.listingId}`));
  const forSale = await call('bench-seller', 'POST', '/market/listings', { nftId: a, price: 4_000 });
  await measure('buy listing', () => call('bench-buyer', 'POST', `/market/listings/${forSale.listingId}/buy`));
  const offer = await measure('create offer', () => call('bench-buyer', 'POST', '/offers', { nftId: c, amount: 1_000, expiresAt: soon(600_000) }));
  await measure('cancel offer', () => call('bench-buyer', 'DELETE', `/offers/${offer.offerId}`));
  const accepted = await call('bench-buyer', 'POST', '/offers', { nftId: c, amount: 1_000, expiresAt: soon(600_000) });
  await measure('accept offer', () => call('bench-seller', 'POST', `/offers/${accepted.offerId}/accept`, {}));
  const auction = await measure('create auction', () => call('bench-seller', 'POST', '/auctions/create', { nftId: d, reservePrice: 100, endsAt: soon(3_000) }));
  await topUp('bench-bidder', 100_000);
  await measure('first bid', () => call('bench-bidder', 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 100 }));
  await measure('outbid (releases the previous bid)', () => call('bench-buyer', 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 200 }));
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  await measure('settle auction (sold)', () => call('anyone', 'POST', `/auctions/${auction.auctionId}/settle`));
} finally {
  await runtime.stop();
}

console.log('\nDynamoDB cost per trading write (DynamoDB Local, ReturnConsumedCapacity TOTAL)\n');
console.log(`${'operation'.padEnd(38)} ${'calls'.padStart(5)} ${'RCU'.padStart(6)} ${'WCU'.padStart(6)}  calls made`);
for (const row of rows) {
  console.log(`${row.operation.padEnd(38)} ${String(row.calls).padStart(5)} ${row.readUnits.toFixed(1).padStart(6)} ${row.writeUnits.toFixed(1).padStart(6)}  ${row.operations}`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/write-costs.json', `${JSON.stringify({ measuredAt: new Date().toISOString(), rows }, null, 2)}\n`);
