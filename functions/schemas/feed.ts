import * as z from 'zod/mini';
import { z as zc } from 'zod';

/** A public channel: `/market/all` or `/market/collections/<collectionId>` (a user's own: GET /feed/my). */
const publicChannel = z.string().check(z.regex(/^\/market\/(all|collections\/[A-Za-z0-9_-]{1,64})$/,
  'must be /market/all or /market/collections/<collectionId>; your private channel is GET /feed/my'));
const since = z._default(z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)), 0);
const limit = z._default(z.int().check(z.gte(1), z.lte(100)), 100);

export const feedQuery = z.object({ channel: publicChannel, since, limit });
export const myFeedQuery = z.object({ since, limit });

const feedEvent = zc.object({
  seq: zc.number().int().describe('The event\'s place in its channel: 1, 2, 3, … with no gap'),
  channel: zc.string(),
  type: zc.string().describe('listing.created, sale, offer.created, bid.placed, collection.updated, … (docs/live-feed.md)'),
}).loose();

export const feedPage = zc.object({
  channel: zc.string(),
  events: zc.array(feedEvent).describe('The channel\'s events after `since`, oldest first'),
  more: zc.boolean().describe('More after the last event: ask again with since=<its seq>'),
});
