// `npm run smoke` against the local gateway: it passes against a healthy marketplace, with and without a token, and
// exits 1 naming the check when one fails (here: an API endpoint that serves requests that did not come through
// CloudFront), 2 on bad arguments.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

const projectRoot = resolve(import.meta.dirname, '..', '..');

async function runSmoke(args: string[]): Promise<{ exitCode: number; output: string }> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/smoke/run.ts', ...args], { cwd: projectRoot, env: process.env });
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exitCode = await new Promise<number>((done) => child.once('exit', (code) => done(code ?? 1)));
  return { exitCode, output };
}

const seedCalls = ['POST /market/', 'POST /market/floor', 'GET /market/collections', 'GET /accounts', 'GET /nft/my', 'GET /offers/my',
  'POST /auctions/', 'POST /presale/', 'GET /users/balance-topups'];
/** Some market-depth reads of the load scenario, as the smoke test names them (their first request shape). */
const marketDepthCalls = [/GET \/market\/collections\/[\w-]+\/traits/, /GET \/market\/collections\/[\w-]+\/holders\?limit=20/, /GET \/users\/me\/activity/];

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace(); });
after(async () => { await market.stop(); });

describe('npm run smoke against the local gateway', () => {
  it('passes with a token: the nine seed calls and the market-depth reads answer 200, the trading check moves nothing', async () => {
    const token = await market.token('user-1');
    const before = (await market.call('GET', '/accounts', { token })).body;
    const { exitCode, output } = await runSmoke(['--target', market.url, '--token', token]);
    assert.equal(exitCode, 0, output);
    for (const call of seedCalls) assert.match(output, new RegExp(`PASS  ${call.replace(/[/]/g, '\\/')}: \\d+ ms`), call);
    for (const call of marketDepthCalls) assert.match(output, new RegExp(`PASS  ${call.source}: \\d+ ms`), call.source);
    assert.match(output, /PASS {2}trading: buying a listing that does not exist is 404, the balance unchanged/);
    assert.match(output, /PASS {2}trading: a top-up without an Idempotency-Key is refused with 400/);
    assert.match(output, /All 19 checks passed\./);
    assert.deepEqual((await market.call('GET', '/accounts', { token })).body, before);
  });

  it('passes without a token, checking that user routes answer 401', async () => {
    const { exitCode, output } = await runSmoke(['--target', market.url]);
    assert.equal(exitCode, 0, output);
    assert.match(output, /PASS {2}GET \/accounts without a token: \d+ ms, 401/);
    assert.match(output, /PASS {2}trading: buying without a token is 401/);
  });

  it('exits 1 and names the failed check: here the API endpoint serves what did not come through CloudFront', async () => {
    // The local gateway has no origin secret set, so its endpoint is a back door left open.
    const { exitCode, output } = await runSmoke(['--target', market.url, '--origin', market.url]);
    assert.equal(exitCode, 1, output);
    assert.match(output, /FAIL {2}the API's own endpoint refuses what did not come through CloudFront .*: 200 \(expected 403/);
    assert.match(output, /1 of \d+ checks failed\./);
  });

  it('exits 1 when the target does not answer, and 2 on bad arguments', async () => {
    const down = await runSmoke(['--target', 'http://127.0.0.1:9', '--timeout-ms', '2000']);
    assert.equal(down.exitCode, 1, down.output);
    assert.match(down.output, /FAIL/);
    assert.equal((await runSmoke([])).exitCode, 2);
    assert.equal((await runSmoke(['--target', 'not-a-url'])).exitCode, 2);
    assert.equal((await runSmoke(['--target', market.url, '--nonsense'])).exitCode, 2);
  });
});
