import { readChannelSince } from '../../data/feed-log.js';
import { publicHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { feedQuery } from '../../schemas/feed.js';

export const handler = publicHandler('feed/read-feed', async (event) => {
  const query = validate(feedQuery, queryInput(event, { integers: ['since', 'limit'] }));
  return readChannelSince(query.channel, query.since, query.limit);
});
