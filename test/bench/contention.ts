/**
 * `npm run bench:contention`: the contention goals at full size, on a conflict-faithful DynamoDB (the
 * proxy that cancels overlapping transactions, local/conflict-proxy.ts, in front of DynamoDB Local).
 *
 *   npm run bench:contention -- [--buyers 200] [--drop-buyers 2000] [--supply 1500] [--hold-ms 15] [--clients 64]
 *
 * It only needs startLocalRuntime's `dynamoDbEndpoint`, so the same file measures an older build too.
 */
import { commandLine, numberOption } from '../../bin/cli-args.js';
import { startConflictProxy } from '../../local/conflict-proxy.js';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { freePort } from '../../local/free-port.js';
import { startLocalRuntime } from '../../local/runtime.js';
import { drop, hotCollectionBuys } from '../support/contention-scenarios.js';
import { runtimeApi } from '../support/runtime-api.js';

const { values } = commandLine('Usage: npm run bench:contention -- [--buyers 200] [--drop-buyers 2000] [--supply 1500] [--hold-ms 15] [--clients 64]', {
  buyers: { type: 'string', default: '200' },
  'drop-buyers': { type: 'string', default: '2000' },
  supply: { type: 'string', default: '1500' },
  'hold-ms': { type: 'string', default: '15' },
  clients: { type: 'string', default: '64' },
});
for (const name of ['buyers', 'drop-buyers', 'supply', 'hold-ms', 'clients'] as const) numberOption(name, values[name], { whole: true });
process.env.CONTENTION_CLIENTS = values.clients;

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const dynamo = await startDynamoDbLocal({ port: await freePort() });
const proxy = await startConflictProxy({ upstream: dynamo.endpoint, holdMs: Number(values['hold-ms']) });
const runtime = await startLocalRuntime({
  port: 0, tableName: `bench-${Date.now()}`, seedSize: null, dynamoDbEndpoint: proxy.endpoint, throttleStage: null,
});
const api = runtimeApi(runtime);

const measure = async <T>(name: string, work: () => Promise<T & { tally: object; seconds: number }>) => {
  const before = proxy.stats();
  const result = await work();
  const after = proxy.stats();
  console.log(`${name}: ${JSON.stringify(result.tally)} in ${result.seconds.toFixed(2)} s; `
    + `${after.cancelled - before.cancelled} of ${after.transactions - before.transactions} transactions cancelled by conflicts`);
  return result;
};

try {
  console.log(`conflict-faithful DynamoDB Local (hold ${proxy.holdMs} ms)`);
  await measure(`${values.buyers} buyers, a different listing each, one collection, at once`, () => hotCollectionBuys(api, Number(values.buyers)));
  const result = await measure(`drop of ${values.supply} to ${values['drop-buyers']} buyers at the start second`,
    () => drop(api, Number(values['drop-buyers']), Number(values.supply)));
  const sold = result.tally['201' as keyof typeof result.tally] ?? 0;
  console.log(`mints per second over the drop: ${(sold / result.seconds).toFixed(0)}`);
} finally {
  await runtime.stop();
  await proxy.close();
  await dynamo.stop();
}
