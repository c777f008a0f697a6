import { createHash } from 'node:crypto';
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../domain/errors.js';
import type { Listing } from '../domain/market.js';
import { drivingKey, matchesTraits, type Attribute, type TraitFilter } from '../domain/traits.js';
import { db, tableName } from './client.js';
import { keys, priceKey } from './keys.js';
import { toListing } from './market-repository.js';
import type { Item, Page, PageRequest } from './paged-query.js';
import { cachedFirstPage, type Freshness } from './read-cache.js';

export interface TraitListingQuery {
  collectionId: string;
  attributes: TraitFilter;
  ascending: boolean;
  /** Inclusive bounds in minor units. */
  price: { min: number | null; max: number | null };
}

/** Round trips per partition before a page is returned short (a very selective filter on the other keys). */
const maxRoundTrips = 5;
/** Entries read per trip when other keys filter what is read. */
const filteredReadAhead = 100;
const sortKeyShape = /^\d{16}#[A-Za-z0-9_-]{1,64}$/;

/**
 * Active listings of a collection with the traits asked for, by price. One partition per value of the key with
 * fewest values asked (`TRAIT_LISTINGS#<collection>#<key>#<value>`, base table, sort key `<price>#<listingId>`),
 * read in parallel from after the cursor and merged by price; each entry carries the listing's traits, so the
 * other keys are checked on what was read. An entry is returned only once every partition has been read past it,
 * so the cursor (the last `<price>#<listingId>` returned) never skips or repeats a listing. One round trip
 * (parallel queries) unless the other keys drop most of what is read: then up to 5.
 */
export async function listTraitListings(query: TraitListingQuery, page: PageRequest & Freshness): Promise<Page<Listing>> {
  return cachedFirstPage(`trait-listings ${JSON.stringify(query)} ${page.limit}`, page, () => readTraitListings(query, page));
}

async function readTraitListings(query: TraitListingQuery, page: PageRequest): Promise<Page<Listing>> {
  const asOf = new Date().toISOString();
  const scope = scopeOf(query);
  const after = page.cursor === undefined ? null : decodeCursor(page.cursor, scope);
  let low = priceKey(query.price.min ?? 0);
  let high = `${priceKey(query.price.max ?? Number.MAX_SAFE_INTEGER)}#~`;
  // Every sort key after the cursor is at least the cursor followed by '!' (ids hold only [A-Za-z0-9_-]).
  if (after !== null && query.ascending && `${after}!` > low) low = `${after}!`;
  if (after !== null && !query.ascending && after < high) high = after;
  if (low > high) return { items: [], nextCursor: null, asOf };

  // A value named twice is one partition, read once.
  const filter = Object.fromEntries(Object.entries(query.attributes).map(([k, values]) => [k, [...new Set(values)]]));
  const key = drivingKey(filter);
  const othersFilter = Object.keys(filter).length > 1;
  const keep = (item: Item) => item.sk !== after && matchesTraits((item.attributes as Attribute[] | undefined) ?? [], filter);
  const reads = await Promise.all(filter[key]!.map((value) => readPartition(
    keys.traitListingsPartition(query.collectionId, { key, value }), { low, high }, query.ascending, page.limit + 1, othersFilter, keep,
  )));

  const unfinished = reads.flatMap((read) => (read.bound === null ? [] : [read.bound]));
  // Everything up to the nearest bound has been read in every partition; past it, not yet.
  const readTo = unfinished.length === 0 ? null : unfinished.reduce((a, b) => ((query.ascending ? a < b : a > b) ? a : b));
  const seen = (sk: string) => readTo === null || (query.ascending ? sk <= readTo : sk >= readTo);
  const merged = reads.flatMap((read) => read.items).filter((item) => seen(item.sk as string))
    .sort((a, b) => ((a.sk as string) < (b.sk as string) ? -1 : 1) * (query.ascending ? 1 : -1));
  const items = merged.slice(0, page.limit);
  const more = merged.length > page.limit || readTo !== null;
  const last = items.length === page.limit || readTo === null ? (items[items.length - 1]?.sk as string | undefined) : readTo;
  return { items: items.map(toListing), nextCursor: more && last !== undefined ? encodeCursor(last, scope) : null, asOf };
}

async function readPartition(
  partition: string, range: { low: string; high: string }, forward: boolean, wanted: number, filtered: boolean, keep: (item: Item) => boolean,
): Promise<{ items: Item[]; bound: string | null }> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  for (let trip = 0; trip < maxRoundTrips; trip++) {
    const output: QueryCommandOutput = await db.send(new QueryCommand({
      TableName: tableName(), KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': partition, ':low': range.low, ':high': range.high },
      ScanIndexForward: forward, ExclusiveStartKey: start,
      Limit: filtered ? Math.max(filteredReadAhead, wanted - items.length) : wanted - items.length + 1,
    }));
    items.push(...(output.Items ?? []).filter(keep));
    start = output.LastEvaluatedKey;
    if (items.length >= wanted || !start) break;
  }
  return { items, bound: start ? (start.sk as string) : null };
}

function scopeOf(query: TraitListingQuery): string {
  const filter = Object.keys(query.attributes).sort().map((k) => [k, [...new Set(query.attributes[k])].sort()]);
  return createHash('sha256').update(JSON.stringify(['traits', query.collectionId, filter, query.ascending, query.price])).digest('base64url').slice(0, 12);
}

function encodeCursor(after: string, scope: string): string {
  return Buffer.from(JSON.stringify({ after, scope }), 'utf8').toString('base64url');
}

/** Only a cursor this very list (collection, traits, direction, price range) handed out. */
function decodeCursor(cursor: string, scope: string): string {
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('shape');
    const { after, scope: cursorScope, ...rest } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof after !== 'string' || !sortKeyShape.test(after) || cursorScope !== scope || Object.keys(rest).length > 0) throw new Error('scope');
    return after;
  } catch {
    throw new InvalidCursorError();
  }
}
