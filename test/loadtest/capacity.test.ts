// The write side of the capacity model (test/load/write-capacity.ts) and the warm-environment count, on fixed inputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { platformAccountShards } from '../../functions/domain/money.js';
import { maxPresaleShards } from '../../functions/domain/presale-shards.js';
import { peakConcurrency, topupSide } from '../load/capacity.js';
import { formatTopupCapacity, idempotencyRecordBytes } from '../load/topup-capacity.js';
import {
  activitiesPerTransaction, batchesPerSecond, codeConstants, formatWriteModel, heat, ledgerEntryFormula, transactionsPerBatch, writeModel,
  type DesignResult, type WorkloadResult,
} from '../load/write-capacity.js';

const options = { users: 10_000, dropSupply: 10_000, dropSeconds: 10, userWriteRate: 1_000, sweepSecondsPerBuy: 1, streamShards: 4 };
const byName = (results: WorkloadResult[], name: string) => results.find((w) => w.name === name)!;
const designOf = (w: WorkloadResult, design: 'old' | 'new') => w.designs.find((d) => d.design === design)!;
const hottestItem = (w: WorkloadResult, design: 'old' | 'new') => [...designOf(w, design).items].sort((a, b) => b.wcu - a.wcu)[0]!;
const hottestKey = (w: WorkloadResult, design: 'old' | 'new') => [...designOf(w, design).partitions].sort((a, b) => b.wcu - a.wcu)[0]!;
const item = (d: DesignResult, name: string) => d.items.find((h) => h.name === name)!;
const key = (d: DesignResult, name: string) => d.partitions.find((h) => h.name === name)!;
const operation = (d: DesignResult, prefix: string) => d.operations.find((op) => op.name.startsWith(prefix));
const near = (actual: number, expected: number, tolerance = 0.5) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} ± ${tolerance}`);

describe('capacity model, write side', () => {
  it('mirrors the constants the code keeps private, exactly as the code has them', () => {
    for (const c of Object.values(codeConstants)) {
      const source = readFileSync(new URL(`../../${c.file}`, import.meta.url), 'utf8');
      const found = new RegExp(`const ${c.name} = ([0-9_]+);`).exec(source);
      assert.ok(found, `${c.file} no longer declares ${c.name}`);
      assert.equal(Number(found[1]!.replace(/_/g, '')), c.value, `${c.file}: ${c.name}`);
    }
  });

  it('folds as many activities per aggregator transaction as the code fits in 100 items: 48 mints, 32 sales', () => {
    assert.equal(activitiesPerTransaction('mint'), 48); // 48 markers + 48 holders + collection + presale + holder distribution
    assert.equal(activitiesPerTransaction('sale'), 32); // 32 markers + 64 holders + collection + holder distribution + hour and day buckets
    assert.equal(activitiesPerTransaction('mint', 25), 11);
  });

  it('spreads units over items and partition keys: a shared item takes every write, a unique one a single write', () => {
    const { items, partitions, table } = heat([{
      name: 'op', perSecond: 100, touches: [
        { item: 'HOT / ITEM', partition: 'table HOT', wcu: 2, items: 1, partitions: 1 },
        { item: 'USER#<u> / CREDIT#<id>', partition: 'table USER#<creator>', wcu: 2, items: 'unique', partitions: 1 },
        { item: null, partition: 'gsi2 ACTIVITY', wcu: 1, partitions: 1 },
      ],
    }, {
      name: 'stream: delete', perSecond: 100, touches: [
        { item: 'USER#<u> / CREDIT#<id>', partition: 'table USER#<creator>', wcu: 2, items: 'unique', partitions: 1 },
      ],
    }]);
    assert.deepEqual(items.map((h) => [h.name, h.wcu]), [['HOT / ITEM', 200], ['USER#<u> / CREDIT#<id>', 4]]);
    assert.deepEqual(partitions.map((h) => [h.name, h.wcu, h.tradeWcu]), [['table USER#<creator>', 400, 200], ['table HOT', 200, 200], ['gsi2 ACTIVITY', 100, 100]]);
    assert.deepEqual(table, { wcu: 700, rcu: 0 });
  });

  it('models the stream consumer\'s batches: full batches above 100 records a lane, one a second below', () => {
    assert.equal(batchesPerSecond(375), 3.75);
    assert.equal(batchesPerSecond(50), 1);
    assert.equal(batchesPerSecond(0.5), 0.5);
    // A batch of 100 holding 50 mints on average needs a second transaction of 49 about half the time.
    near(transactionsPerBatch(100, 0.5, 49), 1.54, 0.01);
    assert.equal(transactionsPerBatch(100, 1, 49), 3);
    assert.equal(transactionsPerBatch(100, 0, 49), 0);
    near(transactionsPerBatch(10, 0.1, 98), 1 - 0.9 ** 10, 1e-9); // at most one: the chance of any
  });

  it('caps the 10,000-user drop at the user-write throttle and counts the write sets of the old and new designs', () => {
    const drop = byName(writeModel(options), 'drop');
    assert.equal(drop.ratePerSecond, 1_000);
    assert.equal(designOf(drop, 'old').operations[0]!.itemsWritten, 13);
    assert.equal(designOf(drop, 'new').operations[0]!.itemsWritten, 9); // 7 + 2q, q = 1
    const sweep = byName(writeModel(options), 'sweep');
    assert.equal(designOf(sweep, 'old').operations[0]!.itemsWritten, 15);
    assert.equal(designOf(sweep, 'new').operations[0]!.itemsWritten, 9);
  });

  it('applies credits 98 at a time with one account update and one ledger entry per transaction', () => {
    const neu = designOf(byName(writeModel(options), 'drop'), 'new');
    const account = operation(neu, 'stream: creator account transactions')!;
    assert.equal(account.itemsWritten, 2); // the account and ONE ledger entry, whatever the credits
    near(account.perSecond, 12.5, 0.01); // one per batch of the creator's lane (80 credits each)
    // That ledger entry names 80 credits: ~4.9 KB, 10 WCU in the transaction.
    const { fixed, perCredit } = ledgerEntryFormula('mint');
    assert.equal(Math.ceil((fixed + 80 * perCredit) / 1024), 5);
    near(item(neu, 'USER#<creator> / LEDGER#<at>').wcu, 10, 0.01);
    // Per credit: 2 WCU put by the purchase, 2 deleted by the consumer.
    near(item(neu, 'USER#<creator> / CREDIT#<id>').wcu, 4, 0);
    // The 50 fee accounts: 20 credits/s each, under 10 % of a partition.
    const fees = key(neu, 'table USER#~platform-<k>');
    assert.equal(platformAccountShards, 50);
    near(fees.wcu, 20 * 4 + 2.5 * (2 + 2), 0.5);
  });

  it('reads a sample of 8 shards per purchase, and every shard only for the last shard\'s worth of supply', () => {
    const neu = designOf(byName(writeModel(options), 'drop'), 'new');
    const fullRead = operation(neu, 'purchase: every shard read again')!;
    assert.equal(fullRead.perSecond, 1_000 / maxPresaleShards); // 2 % of purchases
    // A shard: sampled 8 times in 50, plus the full reads; written by one purchase in 50.
    const shard = item(neu, 'PRESALE_SHARD#<presale>#<k> / SHARD');
    near(shard.rcu, (1_000 * 8) / 50 + 20, 0.01);
    near(shard.wcu, 40, 0.01);
    // Per purchase 12 RCU (idempotency record, presale, 8 shards, wallet, collection) + 53 for 2 % + the consumer's.
    near(neu.table.rcu, 15_260, 1);
    // A supply of 10 at one per wallet has 5 shards: fewer than the sample, read in full once, never again.
    const small = designOf(byName(writeModel({ ...options, dropSupply: 10 }), 'drop'), 'new');
    assert.equal(operation(small, 'purchase: every shard read again'), undefined);
    const override = designOf(byName(writeModel({ ...options, fullReadShare: 0.1 }), 'drop'), 'new');
    assert.equal(operation(override, 'purchase: every shard read again')!.perSecond, 100);
  });

  it('keeps every item of the drop under 10 % of a partition\'s writes, and names the partition keys still above it', () => {
    const drop = byName(writeModel(options), 'drop');
    assert.equal(hottestItem(drop, 'old').wcu, 2_000); // the presale item: 2 WCU x 1,000 purchases/s
    const hot = hottestItem(drop, 'new');
    assert.ok(hot.wcu <= 100, JSON.stringify(hot));
    near(hot.wcu, 81.6, 0.1); // presale and collection items: 40.8 aggregator transactions/s
    assert.equal(hottestKey(drop, 'new').name, 'table USER#<creator>');
    near(hottestKey(drop, 'new').wcu, 4_150, 0.5); // 4 WCU per credit + 12.5 x (account 2 + ledger 10)
    near(hottestKey(drop, 'new').tradeWcu, 2_000, 0);
    // The sweep's collection item is still above 10 %: 54.8 transactions, 40 floor and 40 stats-window refreshes a second.
    const sweep = byName(writeModel(options), 'sweep');
    near(hottestItem(sweep, 'new').wcu, 189.7, 0.1);
    const text = formatWriteModel(writeModel(options));
    assert.match(text, /--- DROP: 10,000 users each try once in the first 10 s/);
    assert.match(text, /hottest partition key, WCU\/s +table PRESALE#<presale>: 6,000 \(600%\) +table USER#<creator>: 4,150 \(415%\)/);
    assert.match(text, /Goal, no item above 10 % of its partition's write limit: MET \(hottest item PRESALE#<presale> \/ PRESALE at 8\.2 %\)/);
    assert.match(text, /Goal, no item above 10 % of its partition's write limit: NOT MET \(hottest item COLLECTION#<collection> \/ COLLECTION at 19\.0 %\)/);
    assert.match(text, /table USER#<creator> 4,150 \(415%\) \(2,000 by the purchases, 2,150 by the stream consumer\): CREDIT#<uuid>/);
    assert.match(text, /passes about 241 purchases\/s of the 1,000\/s asked/);
    assert.match(text, /SPLIT FOR HEAT/);
  });

  it('counts warm environments at the peak concurrency, not the mean', () => {
    assert.equal(peakConcurrency(0), 0);
    assert.equal(peakConcurrency(1), 4);
    assert.equal(peakConcurrency(16), 28);
    assert.ok(peakConcurrency(2.5) > 2.5);
  });
});

describe('capacity model, top-ups', () => {
  const topups = topupSide({ users: 10_000, thinkSeconds: undefined, responseMs: 60, dropSeconds: 10, stage: 'prod' });

  it('counts what one top-up writes: its idempotency record twice, four items in the payer\'s transaction', () => {
    assert.ok(idempotencyRecordBytes() < 1024);
    assert.equal(topups.idempotencyWcu, 2);
    assert.equal(topups.transactionWcu, 8);
  });

  it('old: one partition key passes 500 top-ups/s for the whole marketplace; new: the user-write throttle binds at 10,000 users', () => {
    assert.deepEqual(topups.old, { partitionKey: 'IDEMPOTENCY#topups', perSecond: 500 });
    assert.equal(topups.rushPerSecond, 1_000);
    near(topups.mixPerSecond, 44.7, 0.5); // top-ups are 1,000 of the mix's 108,610 weight (reads 106,110, writes 2,500)
    assert.equal(topups.binding.perSecond, 1_000);
    assert.match(topups.binding.name, /user-write throttle/);
    const limit = (pattern: RegExp) => topups.limits.find((l) => pattern.test(l.name))!.perSecond;
    assert.equal(limit(/idempotency table, on-demand table quota/), 20_000);
    assert.equal(limit(/new on-demand table/), 2_000);
    const text = formatTopupCapacity(topups);
    assert.match(text, /IDEMPOTENCY#topups: 1,000 WCU\/s \/ 2 = 500 top-ups\/s for the whole marketplace; the rush asks 200 %/);
    assert.match(text, /The rush: 1,000 top-ups\/s, 100 % of the binding limit/);
  });
});
