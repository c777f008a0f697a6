import { randomUUID } from 'node:crypto';
import type { Listing } from '../domain/market.js';
import type { ActivityFacts } from '../domain/market-stats.js';
import type { AccountDelta, AccountDeltas } from '../domain/money.js';
import { tradingErrors } from '../domain/trading-errors.js';
import { tableName } from './client.js';
import { items } from './items.js';
import { keys } from './keys.js';
import type { GuardedWrite } from './transactions.js';

/** Building blocks of trading transactions: each write carries its condition and what its failure means. */

function accountDelta(userId: string, delta: AccountDelta, now: string, balanceCeiling: number): GuardedWrite {
  const conditions: string[] = [];
  const values: Record<string, unknown> = {
    ':userId': userId, ':entity': 'account', ':now': now, ':balance': delta.balance, ':held': delta.held,
  };
  // ADD creates missing attributes at 0; the conditions forbid any balance or held amount going negative,
  // and any going past its ceiling (2^53 - 1 at most, so what is stored stays exact when read).
  if (delta.balance < 0) { conditions.push('balance >= :needBalance'); values[':needBalance'] = -delta.balance; }
  if (delta.held < 0) { conditions.push('held >= :needHeld'); values[':needHeld'] = -delta.held; }
  if (delta.balance > 0) {
    conditions.push('(attribute_not_exists(balance) OR balance <= :balanceRoom)');
    values[':balanceRoom'] = balanceCeiling - delta.balance;
  }
  if (delta.held > 0) {
    conditions.push('(attribute_not_exists(held) OR held <= :heldRoom)');
    values[':heldRoom'] = Number.MAX_SAFE_INTEGER - delta.held;
  }
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.account(userId),
        UpdateExpression: 'SET userId = :userId, entity = :entity, updatedAt = :now ADD balance :balance, held :held',
        ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
        ExpressionAttributeValues: values,
      },
    },
    // DynamoDB does not say which condition failed; this names the likely one. Held funds short means the
    // offer or bid they back was closed meanwhile: read again. An increase alone can only fail its ceiling.
    onConditionFailed: delta.balance < 0 ? () => tradingErrors.insufficientFunds(-delta.balance)
      : delta.held < 0 ? 'stale'
        : () => tradingErrors.balanceLimit(balanceCeiling),
  };
}

export interface LedgerLine {
  kind: string;
  reference: string;
  delta: AccountDelta;
}

function ledgerEntry(userId: string, line: LedgerLine, now: string): GuardedWrite {
  const entryId = randomUUID();
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: items.ledgerEntry({
          userId, entryId, at: now, kind: line.kind, reference: line.reference,
          balanceDelta: line.delta.balance, heldDelta: line.delta.held,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/**
 * One account's change with a ledger entry per line, in the same transaction. An increase may not take the
 * balance past `balanceCeiling` (a top-up's limit; else 2^53 - 1): 409 BALANCE_LIMIT, nothing written.
 */
export function accountUpdate(userId: string, lines: LedgerLine[], now: string, balanceCeiling = Number.MAX_SAFE_INTEGER): GuardedWrite[] {
  const total = lines.reduce((sum, l) => ({ balance: sum.balance + l.delta.balance, held: sum.held + l.delta.held }), { balance: 0, held: 0 });
  return [accountDelta(userId, total, now, balanceCeiling), ...lines.map((line) => ledgerEntry(userId, line, now))];
}

function pendingCredit(userId: string, delta: AccountDelta, kind: string, reference: string, now: string): GuardedWrite {
  // A credit only ever adds to the balance or releases a hold its payee placed, so applying it later can
  // never fail a condition: nothing about it needs checking when it is written.
  if (delta.balance < 0 || delta.held > 0) throw new Error(`a pending credit cannot debit: ${JSON.stringify(delta)}`);
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: items.credit({ userId, creditId: randomUUID(), at: now, kind, reference, balanceDelta: delta.balance, heldDelta: delta.held }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/**
 * Every account change of a trade. The payer (the caller spending their own balance) is written directly,
 * with its ledger entry and the conditions that forbid a double-spend. Everyone else (seller, creator, fee
 * account, a released hold) gets a unique pending credit instead, so trades that share a payee never write
 * a common item; the stream aggregator adds credits to accounts exactly once.
 */
export function accountChanges(deltas: AccountDeltas, kind: string, reference: string, now: string, payer: string | null): GuardedWrite[] {
  return [...deltas.entries()]
    .filter(([, delta]) => delta.balance !== 0 || delta.held !== 0)
    .flatMap(([userId, delta]) => (userId === payer
      ? accountUpdate(userId, [{ kind, reference, delta }], now)
      : [pendingCredit(userId, delta, kind, reference, now)]));
}

/**
 * Closes an open item (a listing, an offer): a new status, a closing time and any extra fields, its
 * sparse index keys removed, on condition that it is still open.
 */
export function closeOpenItem(close: {
  key: { pk: string; sk: string };
  openStatus: string;
  status: string;
  now: string;
  removeAttributes: string[];
  extra?: Record<string, unknown>;
  condition?: { expression: string; values: Record<string, unknown> };
  onConditionFailed: () => Error;
}): GuardedWrite {
  const extra = close.extra ?? {};
  const sets = ['#status = :status', 'closedAt = :now', ...Object.keys(extra).map((name) => `${name} = :${name}`)];
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: close.key,
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${close.removeAttributes.join(', ')}`,
        ConditionExpression: `#status = :open${close.condition ? ` AND ${close.condition.expression}` : ''}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': close.status, ':now': close.now, ':open': close.openStatus, ...close.condition?.values,
          ...Object.fromEntries(Object.entries(extra).map(([name, value]) => [`:${name}`, value])),
        },
      },
    },
    onConditionFailed: close.onConditionFailed,
  };
}

/**
 * A listing's price entries: the collection's (`FLOOR#`) and one per trait of the listing (`TRAIT_LISTINGS#`, a
 * copy of the listing), written and deleted together in the listing's own transactions.
 */
export function putPriceEntry(listing: Listing): GuardedWrite[] {
  return [
    { item: { Put: { TableName: tableName(), Item: items.priceEntry(listing) } } },
    ...listing.attributes.map((trait): GuardedWrite => ({ item: { Put: { TableName: tableName(), Item: items.traitPriceEntry(listing, trait) } } })),
  ];
}

export function deletePriceEntry(listing: Listing): GuardedWrite[] {
  return [
    { item: { Delete: { TableName: tableName(), Key: keys.priceEntry(listing) } } },
    ...listing.attributes.map((trait): GuardedWrite => ({ item: { Delete: { TableName: tableName(), Key: keys.traitPriceEntry(listing, trait) } } })),
  ];
}

export type ActivityInput = Omit<ActivityFacts, 'activityId' | 'counterparty' | 'price'> & {
  counterparty?: string | null; price?: number | null; reference: string;
};

export function activity(input: ActivityInput, now: string): GuardedWrite {
  return { item: { Put: { TableName: tableName(), Item: items.activity({ ...input, activityId: randomUUID(), at: now }) } } };
}
