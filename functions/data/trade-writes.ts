import { randomUUID } from 'node:crypto';
import type { AccountDelta, AccountDeltas } from '../domain/money.js';
import { tradingErrors } from '../domain/trading-errors.js';
import { tableName } from './client.js';
import { items } from './items.js';
import { keys } from './keys.js';
import type { GuardedWrite } from './transactions.js';

/** Building blocks of trading transactions: each write carries its condition and what its failure means. */

export type ActivityKind = 'listing' | 'cancellation' | 'sale' | 'bid' | 'mint' | 'auction' | 'settlement';

export interface Floor {
  price: number;
  listingId: string;
}

function accountDelta(userId: string, delta: AccountDelta, now: string): GuardedWrite {
  const conditions: string[] = [];
  const values: Record<string, unknown> = {
    ':userId': userId, ':entity': 'account', ':now': now, ':balance': delta.balance, ':held': delta.held,
  };
  // ADD creates missing attributes at 0; the conditions forbid any balance or held amount going negative.
  if (delta.balance < 0) { conditions.push('balance >= :needBalance'); values[':needBalance'] = -delta.balance; }
  if (delta.held < 0) { conditions.push('held >= :needHeld'); values[':needHeld'] = -delta.held; }
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
    // Held funds short means the offer or bid they back was closed meanwhile: read again.
    onConditionFailed: delta.balance < 0 ? tradingErrors.insufficientFunds : 'stale',
  };
}

function ledgerEntry(userId: string, delta: AccountDelta, kind: string, reference: string, now: string): GuardedWrite {
  const entryId = randomUUID();
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.ledgerEntry(userId, now, entryId), entity: 'ledger', userId, entryId, at: now, kind, reference,
          balanceDelta: delta.balance, heldDelta: delta.held,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/** Every account change, each with its ledger entry, in the same transaction. */
export function accountChanges(deltas: AccountDeltas, kind: string, reference: string, now: string): GuardedWrite[] {
  return [...deltas.entries()]
    .filter(([, delta]) => delta.balance !== 0 || delta.held !== 0)
    .flatMap(([userId, delta]) => [accountDelta(userId, delta, now), ledgerEntry(userId, delta, kind, reference, now)]);
}

/**
 * A change in how many NFTs of a collection a user holds, conditioned on the count we read, and what it
 * does to the collection's `owners` stat.
 */
export function holderChange(collectionId: string, userId: string, seen: number, delta: number): { write: GuardedWrite; ownersDelta: number } {
  const after = seen + delta;
  const ownersDelta = (seen === 0 && after > 0 ? 1 : 0) - (seen > 0 && after === 0 ? 1 : 0);
  return {
    ownersDelta,
    write: {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.holder(collectionId, userId),
          UpdateExpression: 'SET #count = :after, entity = :entity',
          ConditionExpression: seen === 0 ? 'attribute_not_exists(#count) OR #count = :seen' : '#count = :seen',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':after': after, ':seen': seen, ':entity': 'holder' },
        },
      },
      onConditionFailed: 'stale',
    },
  };
}

export interface CollectionChange {
  listedCount?: number;
  volume?: number;
  sales?: number;
  owners?: number;
  /** A new floor (null: nothing listed); undefined leaves it as is. */
  floor?: Floor | null;
  /** Listing-set changes are conditioned on the collection version they read, so floors stay exact. */
  expectVersion?: number;
}

export function collectionChange(collectionId: string, change: CollectionChange): GuardedWrite {
  const sets: string[] = [];
  const adds: string[] = [];
  const values: Record<string, unknown> = {};
  for (const name of ['listedCount', 'volume', 'sales', 'owners'] as const) {
    if (change[name]) { adds.push(`${name} :${name}`); values[`:${name}`] = change[name]; }
  }
  if (change.floor !== undefined) {
    sets.push('floorPrice = :floorPrice', 'floorListingId = :floorListingId');
    values[':floorPrice'] = change.floor?.price ?? null;
    values[':floorListingId'] = change.floor?.listingId ?? null;
  }
  let condition = 'attribute_exists(pk)';
  if (change.expectVersion !== undefined) {
    sets.push('version = :nextVersion');
    values[':nextVersion'] = change.expectVersion + 1;
    values[':version'] = change.expectVersion;
    condition += ' AND version = :version';
  }
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' ');
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.collection(collectionId),
        UpdateExpression: expression || 'SET version = version',
        ConditionExpression: condition,
        ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
      },
    },
    onConditionFailed: 'stale',
  };
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

export function putPriceEntry(listing: { collectionId: string; price: number; listingId: string }): GuardedWrite {
  return { item: { Put: { TableName: tableName(), Item: items.priceEntry(listing) } } };
}

export function deletePriceEntry(listing: { collectionId: string; price: number; listingId: string }): GuardedWrite {
  return { item: { Delete: { TableName: tableName(), Key: keys.priceEntry(listing) } } };
}

export interface ActivityInput {
  kind: ActivityKind;
  nftId: string;
  collectionId: string;
  actor: string;
  counterparty?: string | null;
  price?: number | null;
  reference: string;
}

export function activity(input: ActivityInput, now: string): GuardedWrite {
  return { item: { Put: { TableName: tableName(), Item: items.activity({ ...input, activityId: randomUUID(), at: now }) } } };
}
