// `npm test`: starts one DynamoDB Local for the whole run (each test file makes its own table in it), runs every
// *.test.ts with Node's test runner (through tsx), two files at a time, each in its own process, then stops
// DynamoDB Local and prints how long each file took, slowest first.
//
// Files whose durations are known from an earlier run (node_modules/.cache/test-durations.json) start slowest
// first, so the run does not end waiting on one long file; otherwise the largest files start first.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commandLine, usageError } from '../bin/cli-args.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { freePort } from '../local/free-port.js';

const concurrency = 2;
const fileTimeoutMs = 900_000; // a hung file, not a slow machine
const durationsFile = 'node_modules/.cache/test-durations.json';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'load' || name === 'support' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  }).sort();
}

function readDurations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(durationsFile, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

const { positionals: selected } = commandLine(`Usage: npm test [-- FILE.test.ts ...]
  Every test file under test/ (or the files given), two at a time, against one DynamoDB Local; prints the slowest
  files at the end. npm run fuzz: the fuzz test at full size (FUZZ_RUNS, default 10000; FUZZ_SEED replays a run).`, {}, { positionals: true });
for (const file of selected) if (!existsSync(file)) usageError(`${file}: no such test file`);
const files = selected.length > 0 ? selected : testFiles('test');
const known = readDurations();
const expected = (file: string) => known[file] ?? statSync(file).size;
const queue = [...files].sort((a, b) => expected(b) - expected(a));

const dynamo = await startDynamoDbLocal({ port: await freePort() });
console.log(`DynamoDB Local for the tests: ${dynamo.endpoint}; ${files.length} files, ${concurrency} at a time`);
const env = { ...process.env, TEST_DYNAMODB_ENDPOINT: dynamo.endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

interface FileResult { file: string; seconds: number; passed: boolean }

/** One file in its own process; its output is printed in one piece when it ends, so files do not interleave. */
function runFile(file: string): Promise<FileResult> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=spec', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  const timer = setTimeout(() => {
    output.push(Buffer.from(`\n${file}: still running after ${fileTimeoutMs / 1000} s, stopped\n`));
    child.kill('SIGKILL');
  }, fileTimeoutMs);
  return new Promise((resolve) => child.once('close', (code) => {
    clearTimeout(timer);
    const seconds = (performance.now() - started) / 1000;
    const passed = code === 0;
    process.stdout.write(`\n▶ ${file} ${passed ? 'passed' : 'FAILED'} in ${seconds.toFixed(1)} s\n${Buffer.concat(output).toString()}`);
    resolve({ file, seconds, passed });
  }));
}

const started = performance.now();
const results: FileResult[] = [];
await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
  for (let file = queue.shift(); file; file = queue.shift()) results.push(await runFile(file));
}));
const wall = (performance.now() - started) / 1000;
await dynamo.stop();

const failed = results.filter((r) => !r.passed);
const slowest = [...results].sort((a, b) => b.seconds - a.seconds);
console.log(`\nSlowest files:\n${slowest.slice(0, 15).map((r) => `  ${r.seconds.toFixed(1).padStart(6)} s  ${r.file}`).join('\n')}`);
console.log(`\n${results.length} files in ${wall.toFixed(1)} s: ${results.length - failed.length} passed, ${failed.length} failed`);
for (const r of failed) console.log(`  FAILED ${r.file}`);
if (selected.length === 0) {
  mkdirSync(dirname(durationsFile), { recursive: true });
  writeFileSync(durationsFile, JSON.stringify(Object.fromEntries(results.map((r) => [r.file, Math.round(r.seconds * 10) / 10])), null, 1));
}
process.exit(failed.length > 0 ? 1 : 0);
