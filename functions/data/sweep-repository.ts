import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Candidate } from '../domain/sweep.js';
import { drivingKey, matchesTraits, type Attribute, type TraitFilter } from '../domain/traits.js';
import { db, tableName } from './client.js';
import { items } from './items.js';
import { keys, priceKey } from './keys.js';
import type { GuardedWrite } from './transactions.js';

/** Price entries read per round trip while looking for candidates past the ones to leave out. */
const candidatePage = 100;

interface CandidateQuery {
  collectionId: string; maxPrice: number; limit: number; exclude: ReadonlySet<string>;
  /** Only listings with these traits (OR within a key, AND across keys), as the listing filter has it. */
  attributes?: TraitFilter | undefined;
}

/**
 * The cheapest active listings of a collection a sweep may buy: up to `limit`, priced at most `maxPrice`, leaving
 * out `exclude` (ones it tried). From the collection's price entries in the base table (`FLOOR#<c>`), read strongly
 * consistent, so a listing sold or cancelled a moment ago is not among them; paged until `limit` are found.
 * With `attributes`: from the trait price entries (`TRAIT_LISTINGS#<c>#<key>#<value>`, also in the base table) of
 * each value of the key with fewest values named, read in parallel and merged by price; the other keys are checked
 * on the traits each entry carries.
 */
export async function sweepCandidates(query: CandidateQuery): Promise<Candidate[]> {
  if (!query.attributes) return cheapestIn(keys.floorPartition(query.collectionId), query, () => true);
  const filter = Object.fromEntries(Object.entries(query.attributes).map(([k, values]) => [k, [...new Set(values)]]));
  const key = drivingKey(filter);
  const matches = (item: Record<string, unknown>) => matchesTraits((item.attributes as Attribute[] | undefined) ?? [], filter);
  const lists = await Promise.all(filter[key]!.map((value) =>
    cheapestIn(keys.traitListingsPartition(query.collectionId, { key, value }), query, matches)));
  return lists.flat().sort((a, b) => a.price - b.price || (a.listingId < b.listingId ? -1 : 1)).slice(0, query.limit);
}

async function cheapestIn(partition: string, query: CandidateQuery, keep: (item: Record<string, unknown>) => boolean): Promise<Candidate[]> {
  const found: Candidate[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const output = await db.send(new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND sk <= :highest',
      ExpressionAttributeValues: { ':pk': partition, ':highest': `${priceKey(query.maxPrice)}#~` },
      ConsistentRead: true,
      Limit: Math.min(candidatePage, query.limit + query.exclude.size),
      ExclusiveStartKey: start,
    }));
    for (const item of output.Items ?? []) {
      if (!query.exclude.has(item.listingId as string) && keep(item)) found.push({ listingId: item.listingId as string, price: item.price as number });
    }
    start = output.LastEvaluatedKey;
  } while (start && found.length < query.limit);
  return found.slice(0, query.limit);
}

export interface SweepSlot {
  slot: number;
  requestHash: string;
  listingId: string;
  nftId: string;
  price: number;
}

/** What a sweep bought so far, by slot (at most 50 small items: one Query). */
export async function readSweepSlots(userId: string, sweepId: string): Promise<SweepSlot[]> {
  const output = await db.send(new QueryCommand({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.sweep(userId, sweepId) },
    ConsistentRead: true,
  }));
  return (output.Items ?? []).map((item) => ({
    slot: item.slot as number, requestHash: item.requestHash as string,
    listingId: item.listingId as string, nftId: item.nftId as string, price: item.price as number,
  }));
}

/** Another attempt of the same sweep took this slot first. */
export class SlotTaken extends Error {
  constructor() {
    super('this sweep slot is taken');
    this.name = 'SlotTaken';
  }
}

/** A sweep's n-th purchase: written in that buy's transaction, on condition slot n is still free. */
export function sweepSlotWrite(slot: Parameters<typeof items.sweepSlot>[0]): GuardedWrite {
  return {
    item: { Put: { TableName: tableName(), Item: items.sweepSlot(slot), ConditionExpression: 'attribute_not_exists(pk)' } },
    onConditionFailed: () => new SlotTaken(),
  };
}
