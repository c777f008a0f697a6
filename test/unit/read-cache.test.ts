import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

process.env.PUBLIC_READ_CACHE_MS = '1000';
const { cachedRead, writeCommitBoundMs } = await import('../../functions/data/read-cache.js');
const { stageConfigs } = await import('../../lib/stage-config.js');

const at = (ms: number) => new Date(ms).toISOString();

describe('the public read cache', () => {
  it('serves one DynamoDB read to every caller within its time to live, then reads again', async () => {
    let loads = 0;
    const load = async () => ++loads;
    const together = await Promise.all([cachedRead('k', load, {}, 0), cachedRead('k', load, {}, 10), cachedRead('k', load, {}, 999)]);
    assert.deepEqual(together, [1, 1, 1]);
    assert.equal(await cachedRead('k', load, {}, 1_000), 2, 'expired at the TTL');
    assert.equal(await cachedRead('other', load, {}, 1_000), 3, 'keys are separate');
  });

  it('does not keep a failed read', async () => {
    let attempts = 0;
    const failing = async () => { attempts += 1; throw new Error('down'); };
    await assert.rejects(cachedRead('f', failing, {}, 0));
    await assert.rejects(cachedRead('f', failing, {}, 1));
    assert.equal(attempts, 2);
  });

  it('keeps a newer entry when an older read fails after it was stored', async () => {
    let failSlowRead!: (error: Error) => void;
    const slow = cachedRead('late', () => new Promise<number>((_, reject) => { failSlowRead = reject; }), {}, 0);
    let loads = 0;
    const fresh = async () => ++loads;
    assert.equal(await cachedRead('late', fresh, {}, 1_000), 1, 'the slow entry expired: a new read is stored');
    failSlowRead(new Error('late'));
    await assert.rejects(slow);
    assert.equal(await cachedRead('late', fresh, {}, 1_500), 1, 'the newer entry is still served');
    assert.equal(loads, 1);
  });

  it('serves a caller who names its last write (minAsOf) only a read made after that write committed', async () => {
    let loads = 0;
    const load = async () => ++loads;
    const t = 1_000_000;
    assert.equal(await cachedRead('w', load, {}, t), 1);
    assert.equal(await cachedRead('w', load, { minAsOf: at(t - writeCommitBoundMs) }, t + 10), 1, 'read long enough after that write');
    assert.equal(await cachedRead('w', load, { minAsOf: at(t - writeCommitBoundMs + 1) }, t + 20), 2, 'that write may have committed after the read');
    assert.equal(await cachedRead('w', load, {}, t + 30), 2, 'the newer read serves everyone');
    assert.equal(await cachedRead('w', load, { minAsOf: at(t + 25) }, t + 40), 3, 'a write after the read');
  });

  it('counts on writes committing within the Lambda timeout of every stage', () => {
    for (const config of Object.values(stageConfigs)) assert.ok(config.lambda.timeoutSeconds * 1000 <= writeCommitBoundMs, config.stage);
  });
});
