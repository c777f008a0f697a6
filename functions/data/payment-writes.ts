import { randomUUID } from 'node:crypto';
import { tableName } from './client.js';
import { items } from './items.js';
import { keys } from './keys.js';
import type { GuardedWrite, OnConditionFailed } from './transactions.js';

/** One line of a payment's change to an account, as its ledger entry records it. */
export interface PaymentLedgerLine {
  kind: string;
  reference: string;
  balance?: number;
  held?: number;
  /** What the account owes after a refund or lost dispute it could not cover (docs/payments.md). */
  shortfall?: number;
}

export interface PaymentAccountGuards {
  /** The shortfall the change was computed from: the write fails (and is retried) if it moved on. */
  shortfallBefore?: number;
  /** A withdrawal: refused while the account owes a shortfall or has a payment under dispute. */
  unblocked?: boolean;
  onConditionFailed?: OnConditionFailed;
}

const sum = (lines: PaymentLedgerLine[], field: 'balance' | 'held' | 'shortfall') => lines.reduce((total, line) => total + (line[field] ?? 0), 0);

/**
 * A payment's change to one account (balance, held, shortfall, open disputes) with a ledger entry per line, for
 * one transaction. Nothing may go below zero or past 2^53 - 1; every figure is changed with ADD, so concurrent
 * trades on the same account conflict only as DynamoDB transactions do, never silently.
 */
export function paymentAccountUpdate(
  userId: string, lines: PaymentLedgerLine[], now: string, guards: PaymentAccountGuards = {}, openDisputes = 0,
): GuardedWrite[] {
  const delta = { balance: sum(lines, 'balance'), held: sum(lines, 'held'), shortfall: sum(lines, 'shortfall') };
  const conditions: string[] = [];
  const values: Record<string, unknown> = {
    ':userId': userId, ':entity': 'account', ':now': now, ':balance': delta.balance, ':held': delta.held,
    ':shortfall': delta.shortfall, ':disputes': openDisputes,
  };
  for (const field of ['balance', 'held'] as const) {
    if (delta[field] < 0) { conditions.push(`${field} >= :need_${field}`); values[`:need_${field}`] = -delta[field]; }
    if (delta[field] > 0) {
      conditions.push(`(attribute_not_exists(${field}) OR ${field} <= :room_${field})`);
      values[`:room_${field}`] = Number.MAX_SAFE_INTEGER - delta[field];
    }
  }
  if (guards.shortfallBefore !== undefined) {
    conditions.push(guards.shortfallBefore === 0 ? '(attribute_not_exists(shortfall) OR shortfall = :shortfallBefore)' : 'shortfall = :shortfallBefore');
    values[':shortfallBefore'] = guards.shortfallBefore;
  }
  if (openDisputes < 0) conditions.push('openDisputes >= :one');
  if (guards.unblocked) conditions.push('(attribute_not_exists(shortfall) OR shortfall = :zero) AND (attribute_not_exists(openDisputes) OR openDisputes = :zero)');
  if (openDisputes < 0) values[':one'] = 1;
  if (guards.unblocked) values[':zero'] = 0;
  return [
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.account(userId),
          UpdateExpression: 'SET userId = :userId, entity = :entity, updatedAt = :now ADD balance :balance, held :held, shortfall :shortfall, openDisputes :disputes',
          ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed: guards.onConditionFailed ?? 'stale',
    },
    ...lines.map((line): GuardedWrite => ({
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...items.ledgerEntry({
              userId, entryId: randomUUID(), at: now, kind: line.kind, reference: line.reference,
              balanceDelta: line.balance ?? 0, heldDelta: line.held ?? 0,
            }),
            ...(line.shortfall ? { shortfallDelta: line.shortfall } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    })),
  ];
}

/**
 * Moves an item (a top-up, a withdrawal) from one of `from` states to new attributes, on condition it is
 * still in one of them: of the deliveries of one event, or of two events racing, only one gets through.
 */
export function transition(key: { pk: string; sk: string }, from: { attribute: string; values: Array<string | number | null> }, set: Record<string, unknown>, onConditionFailed: OnConditionFailed): GuardedWrite {
  const allowed = from.values.map((value, i) => (value === null ? `attribute_not_exists(#from)` : `#from = :from${i}`));
  const values: Record<string, unknown> = Object.fromEntries(from.values.flatMap((value, i) => (value === null ? [] : [[`:from${i}`, value]])));
  const names: Record<string, string> = { '#from': from.attribute };
  const sets = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `attribute_exists(pk) AND (${allowed.join(' OR ')})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    onConditionFailed,
  };
}
