import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// Only the simulated environments cache here, not the process's own (Lambda) cache.
process.env.PUBLIC_READ_CACHE_MS = '0';
const { cachedRead } = await import('../../functions/data/read-cache.js');
const { createLambdaEnvironments } = await import('../../local/lambda-environments.js');

const publicRead = { id: 'listCollections', auth: 'public', access: 'read' } as const;

function counter() {
  const state = { loads: 0, load: async () => ++state.loads };
  return state;
}

describe('simulated Lambda environments', () => {
  it('give invocations in flight together separate environments, each with its own cache, and reuse idle ones', async () => {
    const environments = createLambdaEnvironments({ publicReadCacheMs: 60_000 });
    const reads = counter();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const first = environments.run(publicRead, async () => {
      const value = await cachedRead('page', reads.load);
      await held;
      return value;
    });
    assert.equal(await environments.run(publicRead, () => cachedRead('page', reads.load)), 2, 'a second environment reads for itself');
    release();
    assert.equal(await first, 1);
    assert.deepEqual(environments.started(), { listCollections: 2 });
    for (let i = 0; i < 3; i++) await environments.run(publicRead, () => cachedRead('page', reads.load));
    assert.equal(reads.loads, 2, 'later invocations are served by a warm environment and its cache');
    assert.deepEqual(environments.started(), { listCollections: 2 });
  });

  it('give only public reads a cache, as the stack gives only them PUBLIC_READ_CACHE_MS', async () => {
    const environments = createLambdaEnvironments({ publicReadCacheMs: 60_000 });
    const reads = counter();
    for (const fn of [{ id: 'getAccount', auth: 'user', access: 'read' }, { id: 'routeNotFound', access: 'read' }] as const) {
      await environments.run(fn, () => cachedRead('page', reads.load));
      await environments.run(fn, () => cachedRead('page', reads.load));
    }
    assert.equal(reads.loads, 4);
  });

  it('retire every environment on reset, and cache no more after a reset to 0', async () => {
    const environments = createLambdaEnvironments({ publicReadCacheMs: 60_000 });
    const reads = counter();
    await environments.run(publicRead, () => cachedRead('page', reads.load));
    environments.reset(60_000);
    await environments.run(publicRead, () => cachedRead('page', reads.load));
    assert.equal(reads.loads, 2, 'a new environment starts with an empty cache');
    assert.deepEqual(environments.started(), { listCollections: 1 });
    environments.reset(0);
    assert.equal(environments.publicReadCacheMs, 0);
    await environments.run(publicRead, () => cachedRead('page', reads.load));
    await environments.run(publicRead, () => cachedRead('page', reads.load));
    assert.equal(reads.loads, 4);
  });
});
