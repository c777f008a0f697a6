import type { FeedEvent } from '../data/feed-log.js';
import { signAppSyncPublish } from './appsync-signer.js';

/** AppSync Events takes at most 5 events per HTTP publish. */
const eventsPerPublish = 5;

/**
 * Publishes to AppSync Events' HTTP endpoint (`POST <FEED_HTTP_URL>/event`), signed with the function's role
 * (IAM publish auth). Locally FEED_HTTP_URL is the local gateway, which speaks the same protocol.
 */
export async function publishEvents(channel: string, events: readonly FeedEvent[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const base = env.FEED_HTTP_URL;
  if (!base) throw new Error('FEED_HTTP_URL is not set: the feed has nowhere to publish');
  const url = new URL('/event', base);
  for (let start = 0; start < events.length; start += eventsPerPublish) {
    const body = JSON.stringify({ channel, events: events.slice(start, start + eventsPerPublish).map((e) => JSON.stringify(e)) });
    const headers = await signAppSyncPublish({
      url, body, region: env.AWS_REGION ?? 'us-east-1',
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', sessionToken: env.AWS_SESSION_TOKEN },
    });
    // fetch sets Host itself (the URL's host, as signed).
    delete headers.host;
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
    const answer = await response.text();
    if (!response.ok) throw new Error(`publish to ${channel} answered ${response.status}: ${answer.slice(0, 300)}`);
    const failed = (JSON.parse(answer) as { failed?: unknown[] }).failed ?? [];
    if (failed.length > 0) throw new Error(`publish to ${channel}: ${failed.length} events refused: ${JSON.stringify(failed).slice(0, 300)}`);
  }
}
