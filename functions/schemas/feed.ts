import * as z from 'zod/mini';
import { z as zc } from 'zod';
import { channelPattern } from '../domain/feed-events.js';

const channel = z.string().check(z.regex(channelPattern, 'must be /market/all, /market/collections/<collectionId> or /users/<your id>'));
const since = z._default(z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)), 0);
const limit = z._default(z.int().check(z.gte(1), z.lte(100)), 100);

export const feedQuery = z.object({ channel, since, limit });

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
