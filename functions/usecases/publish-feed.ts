import { feedEventsOf, type FeedDraft, type StreamChange } from '../domain/feed-events.js';
import { appendToChannel } from '../data/feed-log.js';
import { publishEvents } from '../feed/event-publisher.js';

/**
 * The feed publisher: the events of a batch of stream changes, sequenced in each channel's log, then published
 * (docs/live-feed.md). Channels are independent; within one the events keep the stream's order. A replayed
 * batch gets the seqs it had and is published again: subscribers drop what they have seen.
 */
export async function publishFeed(changes: readonly StreamChange[], now: Date): Promise<{ published: number; failures: { channel: string; error: unknown }[] }> {
  const byChannel = new Map<string, Map<string, FeedDraft>>();
  for (const draft of changes.flatMap(feedEventsOf)) {
    for (const channel of draft.channels) {
      const drafts = byChannel.get(channel) ?? new Map<string, FeedDraft>();
      drafts.set(draft.sourceId, draft);
      byChannel.set(channel, drafts);
    }
  }
  const failures: { channel: string; error: unknown }[] = [];
  let published = 0;
  await Promise.all([...byChannel].map(async ([channel, drafts]) => {
    try {
      const events = await appendToChannel(channel, [...drafts.values()], now);
      await publishEvents(channel, events);
      published += events.length;
    } catch (error) {
      failures.push({ channel, error });
    }
  }));
  return { published, failures };
}
