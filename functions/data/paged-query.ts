import { createHash } from 'node:crypto';
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../domain/errors.js';
import { db, tableName } from './client.js';
import { indexKeys, tableKeys, type IndexName } from './table-definition.js';

export type Item = Record<string, unknown>;

export type RangeCondition =
  | { op: 'begins_with'; value: string }
  | { op: '>' | '>=' | '<' | '<='; value: string }
  | { op: 'between'; low: string; high: string };

export interface ItemFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

export interface QuerySpec {
  index?: IndexName;
  partition: string;
  range?: RangeCondition;
  filter?: ItemFilter;
  /** true: ascending sort key. */
  forward: boolean;
  /**
   * Only these attributes (and the keys a cursor needs) come back: what the caller maps, when an item holds more
   * (a collection's trait table). DynamoDB Local writes, and the SDK parses, every byte that comes back.
   */
  attributes?: readonly string[];
  /**
   * What else identifies the list (a status, a price range): with the direction, the filter and the kind of
   * range, it is bound into the cursor, so a cursor from another sort or filter of the same index is refused.
   */
  scope?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** When the page was read from DynamoDB (ISO instant): a page served from a cache keeps it, so it shows its age. */
  asOf: string;
}

export function mapPage<A, B>(page: Page<A>, map: (item: A) => B): Page<B> {
  return { ...page, items: page.items.map(map) };
}

/** A filtered query may need several round trips to fill a page; past this it returns a short page. */
const maxRoundTrips = 5;
/** Items a filtered query reads per round trip (at most ~1 MB is read per trip whatever the limit). */
const filteredReadAhead = 100;

function keyAttributes(index?: IndexName): { partition: string; sort: string; all: string[] } {
  const indexKey = index ? indexKeys[index] : undefined;
  const partition = indexKey?.partitionKey ?? tableKeys.partitionKey;
  const sort = indexKey?.sortKey ?? tableKeys.sortKey;
  return { partition, sort, all: [...new Set([tableKeys.partitionKey, tableKeys.sortKey, partition, sort])] };
}

/** Where a sort-key value lies against the key condition: before it, inside it, or past it. */
function placeInRange(range: RangeCondition | undefined, value: string): 'below' | 'inside' | 'above' {
  if (!range) return 'inside';
  const [low, lowInclusive, high, highInclusive] = ((): [string | null, boolean, string | null, boolean] => {
    switch (range.op) {
      case 'begins_with': return [range.value, true, `${range.value}\uffff`, true];
      case '>': return [range.value, false, null, true];
      case '>=': return [range.value, true, null, true];
      case '<': return [null, true, range.value, false];
      case '<=': return [null, true, range.value, true];
      case 'between': return [range.low, true, range.high, true];
    }
  })();
  if (low !== null && (value < low || (!lowInclusive && value === low))) return 'below';
  if (high !== null && (value > high || (!highInclusive && value === high))) return 'above';
  return 'inside';
}

/** The cursor field that binds a cursor to its list. */
const scopeField = '~scope';

function scopeOf(spec: QuerySpec): string {
  const shape = JSON.stringify([spec.forward, spec.range?.op ?? null, spec.filter?.expression ?? null, spec.scope ?? null]);
  return createHash('sha256').update(shape).digest('base64url').slice(0, 12);
}

function encodeCursor(key: Item, spec: QuerySpec): string {
  return Buffer.from(JSON.stringify({ ...key, [scopeField]: scopeOf(spec) }), 'utf8').toString('base64url');
}

/**
 * A cursor is accepted only if it is a key of this very query: same index, partition, direction and filter.
 * A time-window list moves with the clock, so a cursor that has fallen outside its key range
 * means "start over" (it lies before the range) or "nothing left" (it lies past it).
 */
function decodeCursor(cursor: string, spec: QuerySpec): Item | 'restart' | 'exhausted' {
  const attrs = keyAttributes(spec.index);
  let key: unknown;
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('shape');
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidCursorError();
  const { [scopeField]: scope, ...record } = key as Item;
  const valid =
    scope === scopeOf(spec) &&
    Object.keys(record).length === attrs.all.length &&
    attrs.all.every((name) => typeof record[name] === 'string' && (record[name] as string).length > 0) &&
    record[attrs.partition] === spec.partition;
  if (!valid) throw new InvalidCursorError();
  const place = placeInRange(spec.range, record[attrs.sort] as string);
  if (place === 'inside') return record;
  return (place === 'below') === spec.forward ? 'restart' : 'exhausted';
}

function rangeExpression(range: RangeCondition, sortName: string, values: Item): string {
  if (range.op === 'begins_with') {
    values[':sk'] = range.value;
    return `begins_with(${sortName}, :sk)`;
  }
  if (range.op === 'between') {
    values[':skLow'] = range.low;
    values[':skHigh'] = range.high;
    return `${sortName} BETWEEN :skLow AND :skHigh`;
  }
  values[':sk'] = range.value;
  return `${sortName} ${range.op} :sk`;
}

/**
 * Keyset pagination over one partition of the table or an index. The cursor is the key of the last
 * item returned, so paging never skips or repeats an item. One round trip unless a filter drops items.
 */
export async function queryPage(spec: QuerySpec, page: PageRequest): Promise<Page<Item>> {
  const attrs = keyAttributes(spec.index);
  const values: Item = { ':pk': spec.partition };
  const names: Record<string, string> = { '#pk': attrs.partition, '#sk': attrs.sort, ...spec.filter?.names };
  Object.assign(values, spec.filter?.values);
  const keyCondition = ['#pk = :pk', spec.range ? rangeExpression(spec.range, '#sk', values) : null]
    .filter(Boolean)
    .join(' AND ');
  if (!spec.range) delete names['#sk'];
  let projection: string | undefined;
  if (spec.attributes) {
    const projected = [...new Set([...spec.attributes, ...attrs.all])];
    projected.forEach((name, i) => { names[`#p${i}`] = name; });
    projection = projected.map((_, i) => `#p${i}`).join(', ');
  }

  const start = page.cursor === undefined ? 'restart' : decodeCursor(page.cursor, spec);
  const asOf = new Date().toISOString();
  if (start === 'exhausted') return { items: [], nextCursor: null, asOf };
  let startKey = start === 'restart' ? undefined : start;
  const items: Item[] = [];
  for (let trip = 0; trip < maxRoundTrips; trip++) {
    const input: QueryCommandInput = {
      TableName: tableName(),
      IndexName: spec.index,
      KeyConditionExpression: keyCondition,
      FilterExpression: spec.filter?.expression,
      ProjectionExpression: projection,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: spec.forward,
      // One extra item tells whether a next page exists without a second round trip. A filter drops items
      // after they are read, so a filtered query reads ahead to fill the page in one trip when it can.
      Limit: spec.filter ? Math.max(filteredReadAhead, page.limit + 1 - items.length) : page.limit + 1 - items.length,
      ExclusiveStartKey: startKey,
    };
    const output = await db.send(new QueryCommand(input));
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
    if (items.length > page.limit || !startKey) break;
  }

  if (items.length > page.limit) {
    const returned = items.slice(0, page.limit);
    const last = returned[returned.length - 1]!;
    return { items: returned, nextCursor: encodeCursor(pick(last, attrs.all), spec), asOf };
  }
  return { items, nextCursor: startKey ? encodeCursor(pick(startKey, attrs.all), spec) : null, asOf };
}

function pick(item: Item, names: string[]): Item {
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

interface NewestAcrossSpec {
  index: IndexName;
  /** Partitions of one index whose sort keys are unique across them and sort newest last. */
  partitions: readonly string[];
  filter?: ItemFilter;
  /** What identifies the list (whose, which status): bound into the cursor. */
  scope: string;
}

interface SourceRead {
  items: Item[];
  /** The sort key of the last item read when the partition has more; everything at or after it was read. */
  bound: string | null;
}

function decodeBeforeCursor(cursor: string, scope: string): string {
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('shape');
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const { before, [scopeField]: cursorScope, ...rest } = value as Item;
    if (typeof before !== 'string' || before.length === 0 || cursorScope !== scope || Object.keys(rest).length > 0) throw new Error('scope');
    return before;
  } catch {
    throw new InvalidCursorError();
  }
}

/**
 * Newest first across several partitions, as one list: each partition is read below the cursor in parallel
 * and the reads merged. The cursor is the last sort key returned, so paging never skips or repeats an item
 * that stays in its partition; an item is returned only once every partition has been read down to it.
 */
export async function queryNewestAcross(spec: NewestAcrossSpec, page: PageRequest): Promise<Page<Item>> {
  const scope = createHash('sha256').update(JSON.stringify(['newest-across', spec.index, spec.filter?.expression ?? null, spec.scope])).digest('base64url').slice(0, 12);
  const asOf = new Date().toISOString();
  const before = page.cursor === undefined ? null : decodeBeforeCursor(page.cursor, scope);
  const sortName = indexKeys[spec.index].sortKey;
  const reads = await Promise.all(spec.partitions.map((partition) => readBelow(spec, partition, before, page.limit + 1)));
  const unfinished = reads.flatMap((read) => (read.bound === null ? [] : [read.bound]));
  const readDownTo = unfinished.length === 0 ? null : unfinished.reduce((a, b) => (a > b ? a : b));
  const merged = reads.flatMap((read) => read.items)
    .filter((item) => readDownTo === null || (item[sortName] as string) >= readDownTo)
    .sort((a, b) => ((b[sortName] as string) > (a[sortName] as string) ? 1 : -1));
  const items = merged.slice(0, page.limit);
  const more = merged.length > page.limit || readDownTo !== null;
  const last = items.length === page.limit || readDownTo === null ? items[items.length - 1]?.[sortName] as string | undefined : readDownTo;
  const nextCursor = more && last !== undefined
    ? Buffer.from(JSON.stringify({ before: last, [scopeField]: scope }), 'utf8').toString('base64url')
    : null;
  return { items, nextCursor, asOf };
}

async function readBelow(spec: NewestAcrossSpec, partition: string, before: string | null, wanted: number): Promise<SourceRead> {
  const { partitionKey, sortKey } = indexKeys[spec.index];
  const items: Item[] = [];
  let startKey: Item | undefined;
  for (let trip = 0; trip < maxRoundTrips; trip++) {
    const output = await db.send(new QueryCommand({
      TableName: tableName(), IndexName: spec.index,
      KeyConditionExpression: `#pk = :pk${before === null ? '' : ' AND #sk < :before'}`,
      FilterExpression: spec.filter?.expression,
      ExpressionAttributeNames: { '#pk': partitionKey, ...(before === null ? {} : { '#sk': sortKey }), ...spec.filter?.names },
      ExpressionAttributeValues: { ':pk': partition, ...(before === null ? {} : { ':before': before }), ...spec.filter?.values },
      ScanIndexForward: false,
      Limit: spec.filter ? Math.max(filteredReadAhead, wanted - items.length) : wanted - items.length,
      ExclusiveStartKey: startKey,
    }));
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
    if (items.length >= wanted || !startKey) break;
  }
  return { items, bound: startKey ? (startKey[sortKey] as string) : null };
}
