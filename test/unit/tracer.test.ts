import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

/** Loads the tracer module and the DynamoDB client in a fresh process with `env`; says what it found. */
function probe(env: Record<string, string>): { traced: boolean; middleware: boolean; xrayLoaded: boolean } {
  const script = `
    const { tracer, tracerMiddleware } = await import('./functions/observability/tracer.ts');
    await import('./functions/data/client.ts');
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('aws-xray-sdk-core'));
    console.log(JSON.stringify({ traced: tracer !== undefined && tracer.isTracingEnabled(), middleware: tracerMiddleware !== undefined, xrayLoaded: loaded }));`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR', ...env },
  });
  return JSON.parse(output.toString().trim().split('\n').at(-1)!);
}

test('in a Lambda execution environment the tracer, its middleware and the X-Ray SDK are loaded', () => {
  assert.deepEqual(probe({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }), { traced: true, middleware: true, xrayLoaded: true });
});

test('POWERTOOLS_TRACE_ENABLED=false turns tracing off in Lambda too', () => {
  assert.deepEqual(probe({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'false' }), { traced: false, middleware: false, xrayLoaded: false });
});

test('outside Lambda (the local runtime, the tests) the X-Ray SDK is never loaded, so no promise is hooked', () => {
  assert.deepEqual(probe({}), { traced: false, middleware: false, xrayLoaded: false });
});
