// `npm start` keeps its seeded database and the next start with the same seed copies it instead of seeding again
// (local/seed-snapshot.ts): the same marketplace, served the same way.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { freePort } from '../../local/free-port.js';
import { startLocalRuntime } from '../../local/runtime.js';
import { testSeedSize } from '../../local/seed.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

// One port for both: the handlers, loaded once in this process, keep the DynamoDB endpoint they were loaded with.
const dynamoDbPort = await freePort();
const cacheDir = mkdtempSync(join(tmpdir(), 'seed-snapshots-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

async function start() {
  return startLocalRuntime({
    port: 0, dynamoDbPort, tableName: `snapshot-${process.pid}`, seedSize: { ...testSeedSize, users: 21 },
    seedSnapshot: { maxAgeHours: 1, cacheDir }, streams: false, schedules: false, feed: false, throttleStage: null,
  });
}

it('a second start with the same seed copies the first one\'s database and answers the same', async () => {
  const first = await start();
  let firstAnswer: unknown;
  try {
    assert.equal(first.seedSnapshot, 'saved');
    firstAnswer = (await (await fetch(`${first.url}/market/collections?limit=50`)).json() as { items: unknown }).items;
    // A write to the first marketplace must not reach the snapshot: it was taken right after the seed.
    const token = await first.issuer.sign({ sub: 'user-1' });
    const topup = await fetch(`${first.url}/users/balance-topups`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'snap-1' },
      body: JSON.stringify({ amount: 1234 }),
    });
    assert.equal(topup.status, 201);
  } finally {
    await first.stop();
  }

  const second = await start();
  try {
    assert.equal(second.seedSnapshot, 'restored');
    assert.equal(second.seed?.now, first.seed?.now, 'the seed of the first start');
    assert.deepEqual((await (await fetch(`${second.url}/market/collections?limit=50`)).json() as { items: unknown }).items, firstAnswer);
    const token = await second.issuer.sign({ sub: 'user-1' });
    const topups = await (await fetch(`${second.url}/users/balance-topups?limit=50`, { headers: { authorization: `Bearer ${token}` } })).json() as { items: Array<{ amount: number }> };
    assert.ok(topups.items.length > 0, 'the seeded top-ups are there');
    assert.ok(!topups.items.some((item) => item.amount === 1234), 'the first start\'s own top-up is not');
  } finally {
    await second.stop();
  }
});
