/**
 * Top-ups in `npm run capacity`: how many per second the idempotency records let through, in the old design
 * (every Powertools record of every top-up in one partition key of the marketplace table, `IDEMPOTENCY#topups`)
 * and the new one (the idempotency table, a partition key per record: functions/data/idempotency-store.ts).
 * Item sizes come from the code's item builders; the limits are DynamoDB's and the stage's.
 */
import { items as storedItems } from '../../functions/data/items.js';
import { keys } from '../../functions/data/keys.js';
import { itemBytes, partitionLimits, tableLimits } from './write-capacity.js';

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const md5Hex = 'd41d8cd98f00b204e9800998ecf8427e';
const at = '2026-12-01T12:00:00.000Z';
const userId = 'user-loadtest-10000';
const topupId = 'top-0123456789abcdef01234567';

/** The completed Powertools record of one top-up (Powertools' own attribute names, the answer as its data). */
export function idempotencyRecordBytes(): number {
  const topup = { userId, topupId, amount: 250_000, createdAt: at };
  return itemBytes({
    id: `topups#${md5Hex}`, status: 'COMPLETED', expiration: 1_796_140_800, in_progress_expiration: 1_796_054_410_000,
    validation: md5Hex, data: JSON.stringify(topup),
  });
}

/** Units one top-up writes: its idempotency record (an in-progress put, then the completed update), and its transaction. */
export function topupUnits(): { idempotencyWcu: number; transactionWcu: number } {
  const transaction = [
    storedItems.account({ userId, balance: 9_500_000, held: 0, updatedAt: at }),
    storedItems.ledgerEntry({ userId, entryId: topupId, at, kind: 'topup', reference: topupId, balanceDelta: 250_000, heldDelta: 0 }),
    storedItems.topup({ userId, topupId, amount: 250_000, createdAt: at }),
    { ...keys.topupMarker(userId, topupId), entity: 'topup-marker', topupSk: `TOPUP#${at}#${topupId}` },
  ];
  return {
    idempotencyWcu: 2 * kb(idempotencyRecordBytes()),
    // 2 WCU per KB of each item written in a transaction.
    transactionWcu: transaction.reduce((sum, item) => sum + 2 * kb(itemBytes(item)), 0),
  };
}

export interface TopupLimit { name: string; perSecond: number; scope: 'marketplace' | 'one user' }

export interface TopupCapacity {
  users: number;
  /** The seed's mix with --writes: its share of top-ups. */
  mixPerSecond: number;
  /** Every user tops up once within `rushSeconds` (before a drop), capped by the user-write throttle. */
  rushPerSecond: number;
  rushSeconds: number;
  idempotencyWcu: number;
  transactionWcu: number;
  old: { partitionKey: string; perSecond: number };
  limits: TopupLimit[];
  binding: TopupLimit;
}

export function topupCapacity(o: {
  users: number; requestsPerSecond: number; topupShare: number; rushSeconds: number; userWriteRate: number; stage: string;
}): TopupCapacity {
  const { idempotencyWcu, transactionWcu } = topupUnits();
  const limits: TopupLimit[] = [
    { name: `${o.stage} user-write throttle (lib/stage-config.ts)`, perSecond: o.userWriteRate, scope: 'marketplace' },
    { name: `idempotency table, what a new on-demand table takes at once (${tableLimits.newWru.toLocaleString('en-US')} WRU/s)`, perSecond: tableLimits.newWru / idempotencyWcu, scope: 'marketplace' },
    { name: `marketplace table writes, on-demand table quota (${tableLimits.wru.toLocaleString('en-US')} WRU/s, top-ups alone)`, perSecond: tableLimits.wru / transactionWcu, scope: 'marketplace' },
    { name: `idempotency table, on-demand table quota (${tableLimits.wru.toLocaleString('en-US')} WRU/s)`, perSecond: tableLimits.wru / idempotencyWcu, scope: 'marketplace' },
    { name: 'the payer\'s own partition USER#<user> (one user topping up in a loop)', perSecond: partitionLimits.wcu / transactionWcu, scope: 'one user' },
  ];
  const binding = limits.filter((l) => l.scope === 'marketplace').sort((a, b) => a.perSecond - b.perSecond)[0]!;
  return {
    users: o.users,
    mixPerSecond: o.requestsPerSecond * o.topupShare,
    rushPerSecond: Math.min(o.users / o.rushSeconds, o.userWriteRate),
    rushSeconds: o.rushSeconds,
    idempotencyWcu,
    transactionWcu,
    old: { partitionKey: 'IDEMPOTENCY#topups', perSecond: partitionLimits.wcu / idempotencyWcu },
    limits,
    binding,
  };
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (value: number, limit: number) => `${((100 * value) / limit).toFixed(0)} %`;

export function formatTopupCapacity(t: TopupCapacity): string {
  const out = ['', `TOP-UPS: IDEMPOTENCY RECORDS, ${f0(t.users)} users`, '='.repeat(64)];
  out.push(`Per top-up: ${t.idempotencyWcu} WCU of idempotency record (an in-progress put, then the completed update; ${idempotencyRecordBytes()} bytes), ` +
    `${t.transactionWcu} WCU in the payer's USER#<user> partition (account, ledger entry, top-up, marker in one transaction).`);
  out.push(`Asked: ${f0(t.mixPerSecond)}/s in the seed's mix with --writes; ${f0(t.rushPerSecond)}/s when every user tops up once within ` +
    `${t.rushSeconds} s (before a drop), capped by the user-write throttle.`);
  out.push(`Old: every record in one partition key, ${t.old.partitionKey}: ${f0(partitionLimits.wcu)} WCU/s / ${t.idempotencyWcu} = ` +
    `${f0(t.old.perSecond)} top-ups/s for the whole marketplace; the rush asks ${pct(t.rushPerSecond, t.old.perSecond)} of it, the mix ${pct(t.mixPerSecond, t.old.perSecond)}.`);
  out.push('New: a partition key per record in the idempotency table, so no key takes more than its own top-up\'s writes. Limits, top-ups/s:');
  const width = Math.max(...t.limits.map((l) => l.name.length));
  for (const l of t.limits) {
    out.push(`  ${l.name.padEnd(width)}  ${f0(l.perSecond).padStart(7)}${l === t.binding ? '  <- binds' : l.scope === 'one user' ? '  (per user)' : ''}`);
  }
  out.push(`The rush: ${f0(t.rushPerSecond)} top-ups/s, ${pct(t.rushPerSecond, t.binding.perSecond)} of the binding limit (${t.binding.name}); ` +
    `${f0(t.rushPerSecond * t.idempotencyWcu)} WRU/s on the idempotency table, ${pct(t.rushPerSecond * t.idempotencyWcu, tableLimits.newWru)} of what a new table takes at once.`);
  return out.join('\n');
}
