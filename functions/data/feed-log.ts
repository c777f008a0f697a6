import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedDraft } from '../domain/feed-events.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import { readItems } from './trade-reads.js';
import { StaleReadError, transact, withOptimisticRetry, type GuardedWrite } from './transactions.js';

/** A feed event with its place in one channel. */
export interface FeedEvent {
  seq: number;
  channel: string;
  type: string;
  [field: string]: unknown;
}

/** The log outlives the stream's 24 hours (a replay always finds its marker) and covers a weekend away. */
const logLifetimeSeconds = 3 * 24 * 3600;
/** Events per transaction: the counter, then a log entry and a marker each (at most 100 items). */
const eventsPerTransaction = 40;
/** Many publishers may sequence one channel at once (one per stream shard): retry generously. */
const sequencingAttempts = 20;

const toEvent = (channel: string, seq: number, draft: Pick<FeedDraft, 'type' | 'data'>): FeedEvent =>
  ({ ...draft.data, seq, channel, type: draft.type });

/**
 * Gives each draft the next seq of the channel, writing the counter, the log entries and a marker per source in
 * one transaction (condition: the counter is where it was read, no marker yet). A draft whose marker exists was
 * sequenced before (a replayed stream record): it keeps its seq. Returns the events in seq order.
 */
export async function appendToChannel(channel: string, drafts: readonly FeedDraft[], now: Date): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  for (let start = 0; start < drafts.length; start += eventsPerTransaction) {
    events.push(...await withOptimisticRetry(() => appendChunk(channel, drafts.slice(start, start + eventsPerTransaction), now), sequencingAttempts));
  }
  return events.sort((a, b) => a.seq - b.seq);
}

/**
 * The counter this environment last wrote, per channel. The next batch usually finds it unchanged and its records
 * new, so it writes without reading first: a transaction instead of a read and a transaction. If another
 * publisher moved the counter, or a record was sequenced before, a condition fails and the batch reads.
 */
const lastWritten = new Map<string, number>();

async function appendChunk(channel: string, drafts: readonly FeedDraft[], now: Date): Promise<FeedEvent[]> {
  const known = lastWritten.get(channel);
  if (known !== undefined) {
    try {
      return await writeChunk(channel, drafts, now, known, () => undefined);
    } catch (error) {
      lastWritten.delete(channel);
      if (!(error instanceof StaleReadError)) throw error;
    }
  }
  const counterKey = keys.feedCounter(channel);
  const found = await readItems([counterKey, ...drafts.map((d) => keys.feedSource(channel, d.sourceId))]);
  const markerOf = (d: FeedDraft) => {
    const key = keys.feedSource(channel, d.sourceId);
    return found.get(`${key.pk}|${key.sk}`)?.seq as number | undefined;
  };
  return writeChunk(channel, drafts, now, (found.get(`${counterKey.pk}|${counterKey.sk}`)?.seq as number | undefined) ?? 0, markerOf);
}

/** The transaction: the counter from `last`, a log entry and a marker for each draft that has no seq yet. */
async function writeChunk(
  channel: string, drafts: readonly FeedDraft[], now: Date, last: number, markerOf: (draft: FeedDraft) => number | undefined,
): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  const writes: GuardedWrite[] = [];
  const ttl = Math.floor(now.getTime() / 1000) + logLifetimeSeconds;
  let seq = last;
  for (const draft of drafts) {
    const marker = markerOf(draft);
    if (marker !== undefined) {
      events.push(toEvent(channel, marker, draft));
      continue;
    }
    seq += 1;
    events.push(toEvent(channel, seq, draft));
    writes.push(
      { item: { Put: { TableName: tableName(), Item: { ...keys.feedEntry(channel, seq), entity: 'feed-entry', channel, seq, type: draft.type, sourceId: draft.sourceId, data: draft.data, ttl } } } },
      { item: { Put: { TableName: tableName(), Item: { ...keys.feedSource(channel, draft.sourceId), entity: 'feed-source', seq, ttl }, ConditionExpression: 'attribute_not_exists(pk)' } } },
    );
  }
  if (writes.length === 0) return events;
  writes.unshift({
    item: {
      Update: {
        TableName: tableName(), Key: keys.feedCounter(channel), UpdateExpression: 'SET seq = :next',
        ConditionExpression: last === 0 ? 'attribute_not_exists(seq)' : 'seq = :last',
        ExpressionAttributeValues: { ':next': seq, ...(last === 0 ? {} : { ':last': last }) },
      },
    },
  });
  await transact(writes);
  lastWritten.set(channel, seq);
  return events;
}

export interface FeedPage {
  channel: string;
  events: FeedEvent[];
  /** There is more after the last event: ask again from its seq. */
  more: boolean;
}

/** A channel's log after `since`, oldest first: one Query. */
export async function readChannelSince(channel: string, since: number, limit: number): Promise<FeedPage> {
  const output = await db.send(new QueryCommand({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.feedCounter(channel).pk, ':from': keys.feedEntry(channel, since + 1).sk, ':to': keys.feedEntriesEnd,
    },
    Limit: limit,
  }));
  const events = (output.Items ?? []).map((item) => toEvent(channel, item.seq as number, { type: item.type as string, data: item.data as Record<string, unknown> }));
  return { channel, events, more: output.LastEvaluatedKey !== undefined };
}
