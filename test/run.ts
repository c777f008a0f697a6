// `npm test`: starts one DynamoDB Local for the whole run (each test file makes its own table in it),
// runs every *.test.ts with Node's test runner (through tsx), then stops DynamoDB Local.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { freePort } from '../local/free-port.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'load' || name === 'support' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  }).sort();
}


const selected = process.argv.slice(2);
const files = selected.length > 0 ? selected : testFiles('test');

const dynamo = await startDynamoDbLocal({ port: await freePort() });
console.log(`DynamoDB Local for the tests: ${dynamo.endpoint}`);
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: { ...process.env, TEST_DYNAMODB_ENDPOINT: dynamo.endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
);
const code = await new Promise<number>((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
await dynamo.stop();
process.exit(code);
