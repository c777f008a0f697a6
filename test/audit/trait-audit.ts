// `npm run trait-audit -- --trades 20000 [--check-every 2500] [--seed 1] [--workers 6]`: random trades (list, cancel,
// buy, mint, offers accepted on NFTs, collections and traits) against DynamoDB Local through the real handlers; after
// every `check-every` trades and at the end, once the stream has drained (again 15 s later, up to 4 times, while it differs), every trait's tokenCount, listedCount, floor
// and top offer (and every other audited figure) against a recount of the table. Exits 1 on any problem or 5xx.
import { commandLine, numberOption } from '../../bin/cli-args.js';
import { auditTable } from '../support/table-audit.js';
import { startTestMarketplace } from '../support/marketplace.js';
import { runTraitWorkload } from '../support/trait-workload.js';

const { values } = commandLine('Usage: npm run trait-audit -- [--trades 20000] [--check-every 2500] [--seed 1] [--workers 6]', {
  trades: { type: 'string', default: '20000' }, 'check-every': { type: 'string', default: '2500' },
  seed: { type: 'string', default: '1' }, workers: { type: 'string', default: '6' },
});
const trades = numberOption('trades', values.trades, { min: 1, whole: true });
const checkEvery = numberOption('check-every', values['check-every'], { min: 1, whole: true });
const seed = numberOption('seed', values.seed, { whole: true });
numberOption('workers', values.workers, { min: 1, whole: true });
const market = await startTestMarketplace();
const settledAudit = async () => {
  await market.settle();
  return auditTable(market.doc, market.tableName);
};
const report = (line: string) => process.stderr.write(`${line}\n`); // stdout carries the handlers' logs
try {
  const started = performance.now();
  const before = await auditTable(market.doc, market.tableName);
  if (before.problems.length > 0) throw new Error(`the seeded table is not consistent:\n${before.problems.join('\n')}`);
  const outcomes = new Map<string, number>();
  const serverErrors: string[] = [];
  let done = 0;
  let problems: string[] = [];
  while (done < trades && problems.length === 0) {
    const chunk = Math.min(checkEvery, trades - done);
    const result = await runTraitWorkload(market, { trades: chunk, seed: seed + done, workers: Number(values.workers) });
    done += result.trades;
    for (const [outcome, count] of result.outcomes) outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + count);
    serverErrors.push(...result.serverErrors);
    // A request that timed out (503 TIMEOUT on an overloaded machine) may still commit a moment later, after the
    // drain: its activity is then counted by the next drain. So a recount that differs is taken again, a few times.
    let audit = await settledAudit();
    for (let again = 0; again < 4 && audit.problems.length > 0; again++) {
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      audit = await settledAudit();
    }
    problems = audit.problems;
    report(`trait audit: ${done} trades in ${((performance.now() - started) / 1000).toFixed(0)} s; recount of ${audit.totals.traitValues} trait values: `
      + `${problems.length} problems; 5xx ${serverErrors.length} (${serverErrors.filter((e) => e.includes('"TIMEOUT"')).length} of them 503 TIMEOUT)`);
  }
  for (const [outcome, count] of [...outcomes].sort()) report(`  ${outcome.padEnd(48)} ${count}`);
  report(`stream: ${JSON.stringify(market.runtime.streams?.stats())}; failures ${market.runtime.streams?.failures().length ?? 0}`);
  for (const problem of [...serverErrors, ...problems].slice(0, 40)) report(`  ${problem}`);
  process.exitCode = problems.length + serverErrors.length === 0 ? 0 : 1;
} finally {
  await market.stop();
}
