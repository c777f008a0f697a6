import { feedChannels } from '../../domain/feed-events.js';
import { readChannelSince } from '../../data/feed-log.js';
import { userHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { myFeedQuery } from '../../schemas/feed.js';

export const handler = userHandler('feed/read-my-feed', async (event, userId) => {
  const query = validate(myFeedQuery, queryInput(event, { integers: ['since', 'limit'] }));
  return readChannelSince(feedChannels.user(userId), query.since, query.limit);
});
