/**
 * `npm run bench:sweep`: the sweep goal at full size on a conflict-faithful DynamoDB (local/conflict-proxy.ts in
 * front of DynamoDB Local): one sweeper takes 50 of a hot collection while 20 others sweep it too. Reports time,
 * items bought, conflicts, sweeps sent again, double sales (must be 0) and the conservation audit.
 *
 *   npm run bench:sweep -- [--sweepers 21] [--items 50] [--listings 1050] [--hold-ms 15]
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { commandLine, numberOption } from '../../bin/cli-args.js';
import { startConflictProxy } from '../../local/conflict-proxy.js';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { freePort } from '../../local/free-port.js';
import { startLocalRuntime } from '../../local/runtime.js';
import { localClient } from '../../local/table.js';
import { runtimeApi } from '../support/runtime-api.js';
import { sweepRace } from '../support/sweep-scenarios.js';
import { auditTable } from '../support/table-audit.js';

const { values } = commandLine('Usage: npm run bench:sweep -- [--sweepers 21] [--items 50] [--listings 1050] [--hold-ms 15]', {
  sweepers: { type: 'string', default: '21' },
  items: { type: 'string', default: '50' },
  listings: { type: 'string', default: '1050' },
  'hold-ms': { type: 'string', default: '15' },
});
for (const name of ['sweepers', 'items', 'listings', 'hold-ms'] as const) numberOption(name, values[name], { whole: true });

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const dynamo = await startDynamoDbLocal({ port: await freePort() });
const proxy = await startConflictProxy({ upstream: dynamo.endpoint, holdMs: Number(values['hold-ms']) });
const tableName = `bench-sweep-${Date.now()}`;
const runtime = await startLocalRuntime({
  port: 0, tableName, seedSize: null, dynamoDbEndpoint: proxy.endpoint, throttleStage: null, streams: { batchingWindowMs: 200 },
});
const api = runtimeApi(runtime);

try {
  const sweepers = Number(values.sweepers);
  const items = Number(values.items);
  console.log(`conflict-faithful DynamoDB Local (hold ${proxy.holdMs} ms): ${sweepers} sweepers x ${items} on ${values.listings} listings of one collection`);
  const before = proxy.stats();
  const race = await sweepRace(api, { sweepers, maxItems: items, listings: Number(values.listings) });
  const after = proxy.stats();
  const bought = race.outcomes.flatMap((o) => o.bought);
  const skipped = race.outcomes.flatMap((o) => o.skipped);
  const reasons: Record<string, number> = {};
  for (const s of skipped) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
  const wrongSpend = race.outcomes.filter((o) => o.spent !== o.bought.reduce((sum, b) => sum + b.price, 0) || o.bought.length > items);
  // Balances and ownership as each sweeper sees them.
  let wrongAccounts = 0;
  for (const outcome of race.outcomes) {
    const account = (await api.call(outcome.sweeper, 'GET', '/accounts')).body;
    const owned = (await api.call(outcome.sweeper, 'GET', '/nft/my?limit=100')).body.items.map((n: { nftId: string }) => n.nftId).sort();
    if (account.balance !== race.balanceEach - outcome.spent || JSON.stringify(owned) !== JSON.stringify(outcome.bought.map((b) => b.nftId).sort())) wrongAccounts++;
  }
  await runtime.streams?.drain();
  const doc = DynamoDBDocumentClient.from(localClient(dynamo.endpoint));
  const audit = await auditTable(doc, tableName);
  console.log(`sweeps: ${race.seconds.toFixed(2)} s; bought ${bought.length} of ${race.listings} listings `
    + `(${race.outcomes.map((o) => o.bought.length).join(', ')} by sweeper); skipped ${JSON.stringify(reasons)}`);
  console.log(`transactions: ${after.transactions - before.transactions}, cancelled by conflicts (retried): ${after.cancelled - before.cancelled}; `
    + `sweeps sent again with the same key: ${race.outcomes.reduce((s, o) => s + o.resent, 0)}`);
  console.log(`double sales: ${race.soldTwice.length}; sweepers whose spend is not the sum of what they got: ${wrongSpend.length}; `
    + `balance or NFTs off: ${wrongAccounts}`);
  console.log(`conservation audit: ${audit.problems.length === 0 ? 'balances' : audit.problems.join('; ')} (${JSON.stringify(audit.totals)})`);
  if (race.soldTwice.length > 0 || wrongSpend.length > 0 || wrongAccounts > 0 || audit.problems.length > 0) process.exitCode = 1;
} finally {
  await runtime.stop();
  await proxy.close();
  await dynamo.stop();
}
