import { ForbiddenError } from '../../domain/errors.js';
import { feedChannels, isPrivateChannel } from '../../domain/feed-events.js';
import { readChannelSince } from '../../data/feed-log.js';
import { userHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { feedQuery } from '../../schemas/feed.js';

/** A channel's log since a seq: what a subscriber (always signed in, as AppSync Events asks) missed. */
export const handler = userHandler('feed/read-feed', async (event, userId) => {
  const query = validate(feedQuery, queryInput(event, { integers: ['since', 'limit'] }));
  if (isPrivateChannel(query.channel) && query.channel !== feedChannels.user(userId)) {
    throw new ForbiddenError('NOT_YOUR_CHANNEL', `${query.channel} is another user's channel; yours is ${feedChannels.user(userId)}`);
  }
  return readChannelSince(query.channel, query.since, query.limit);
});
