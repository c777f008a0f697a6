// The one stack test that bundles for real (esbuild, no Docker): every function's bundle exists, is the
// handler its route names, loads in Node and carries its source map and the AWS SDK.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { handlerEntry } from '../../lib/bundling.js';
import { fallbackRoute, routeKey, routes } from '../../functions/routes.js';
import { deployableJobs } from '../../lib/jobs.js';
import { projectPath } from '../../lib/project-paths.js';
import { deployableStreamConsumers } from '../../lib/stream-consumers.js';
import { resources, routeFunction, type Synthesized, synthStage } from './support/synth.js';

const started = performance.now();
const synthesized: Synthesized = synthStage('staging', { bundle: true });
const bundleSeconds = (performance.now() - started) / 1000;

/** Every function of the stack with the handler module it should run. */
function functionsWithHandlers(): { id: string; functionId: string; handler: string }[] {
  const { template } = synthesized;
  const byRoute = routes.map((route) => ({ id: route.id, functionId: routeFunction(template, routeKey(route)).functionId, handler: route.handler }));
  const fallback = { id: fallbackRoute.id, functionId: routeFunction(template, '$default').functionId, handler: fallbackRoute.handler };
  const functionIds = resources(template, 'AWS::Lambda::Function').map(([functionId]) => functionId);
  const byId = ({ id, handler }: { id: string; handler: string }) => ({ id, functionId: functionIds.find((functionId) => functionId.includes(id))!, handler });
  // The withdrawals queue's consumer (lib/payments.ts).
  const payOut = { id: 'PaymentsPayOut', handler: 'withdrawals/pay-out' };
  return [...byRoute, fallback, ...deployableJobs().map(byId), ...deployableStreamConsumers().map(byId), byId(payOut)];
}

function bundleDir(functionId: string): string {
  const fn = resources(synthesized.template, 'AWS::Lambda::Function').find(([id]) => id === functionId)![1];
  const hash = (fn.Properties!.Code.S3Key as string).replace(/\.zip$/, '');
  return join(synthesized.outdir, `asset.${hash}`);
}

test('every function has its own esbuild bundle: ESM, minified, source map, AWS SDK inside', (t) => {
  const all = functionsWithHandlers();
  assert.equal(all.length, resources(synthesized.template, 'AWS::Lambda::Function').length, 'every function is accounted for');
  const rows: string[] = [];
  for (const { id, functionId, handler } of all) {
    assert.ok(functionId, id);
    const dir = bundleDir(functionId);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    assert.ok(existsSync(join(dir, 'index.mjs.map')), `${id}: source map`);
    assert.match(code, /__createRequire/, `${id}: the ESM require banner`);
    assert.match(code, /\/\/# sourceMappingURL=index\.mjs\.map\s*$/, `${id}: points at its map`);
    assert.ok(code.length / code.split('\n').length > 1000, `${id}: minified (long lines; template literals keep some newlines)`);
    const source = readFileSync(projectPath(handlerEntry(handler)), 'utf8');
    if (source.includes(`'${handler}'`)) assert.ok(code.includes(handler), `${id}: the bundle is ${handler}`);
    if (handler !== fallbackRoute.handler) assert.match(code, /DynamoDB_20120810/, `${id}: bundles the DynamoDB client`);
    rows.push(`${id.padEnd(22)} ${handler.padEnd(28)} ${(statSync(join(dir, 'index.mjs')).size / 1024).toFixed(1).padStart(7)} KB  map ${(statSync(join(dir, 'index.mjs.map')).size / 1024).toFixed(0).padStart(5)} KB`);
  }
  t.diagnostic(`bundled in ${bundleSeconds.toFixed(1)} s`);
  for (const row of rows) t.diagnostic(row);
});

test('twin routes share one bundle; different handlers do not', () => {
  const all = functionsWithHandlers();
  const dirByHandler = new Map<string, string>();
  for (const { handler, functionId } of all) {
    const dir = bundleDir(functionId);
    const known = dirByHandler.get(handler);
    if (known) assert.equal(dir, known, `twins of ${handler}`);
    else dirByHandler.set(handler, dir);
  }
  assert.equal(new Set(dirByHandler.values()).size, dirByHandler.size);
});

test('every bundle loads in Node and exports `handler`', async () => {
  process.env.TABLE_NAME ??= 'bundle-load-test';
  const dirs = new Set(functionsWithHandlers().map(({ functionId }) => bundleDir(functionId)));
  for (const dir of dirs) {
    const module = await import(pathToFileURL(join(dir, 'index.mjs')).href) as { handler?: unknown };
    assert.equal(typeof module.handler, 'function', dir);
  }
});
