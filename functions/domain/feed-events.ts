/**
 * What the live feed says about a change in the table: pure rules from a stream record's images to the events
 * it gives, and the channels each goes to (docs/live-feed.md). No DynamoDB, no clock.
 */

export const feedChannels = {
  market: '/market/all',
  collection: (collectionId: string) => `/market/collections/${collectionId}`,
  user: (userId: string) => `/users/${userId}`,
};

/** A channel path the feed serves: `/market/all`, `/market/collections/<id>` or `/users/<id>` (ids never hold '/'). */
export const channelPattern = /^\/(market\/all|market\/collections\/[A-Za-z0-9_-]{1,64}|users\/[A-Za-z0-9_.@:-]{1,128})$/;

export const isPrivateChannel = (channel: string) => channel.startsWith('/users/');

/** An event before the publisher gives it its place (`seq`) in each of its channels. */
export interface FeedDraft {
  /** Unique per event: the same source always gives the same id, so a replayed record is found in the log. */
  sourceId: string;
  type: string;
  channels: string[];
  data: Record<string, unknown>;
}

export interface StreamChange {
  eventName: string;
  /** The stream record's id: the source of events derived from an item's change. */
  eventId: string;
  /** When the change was written (the record's approximate creation time). */
  at: string;
  oldImage: Record<string, unknown> | null;
  newImage: Record<string, unknown> | null;
}

const stringOr = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numberOr = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** What a sale, listing, offer or auction activity is about: its own id under the name a client looks for. */
function referenceField(kind: string, via: string | null): string {
  if (kind === 'listing' || kind === 'cancellation' || (kind === 'sale' && via === 'listing')) return 'listingId';
  if (kind.startsWith('offer') || (kind === 'sale' && via === 'offer')) return 'offerId';
  if (kind === 'mint') return 'purchaseId';
  return 'auctionId';
}

const publicTypes: Record<string, (via: string | null) => string[]> = {
  listing: () => ['listing.created'],
  cancellation: () => ['listing.cancelled'],
  sale: (via) => ['sale', ...(via === 'offer' ? ['offer.accepted'] : via === 'auction' ? ['auction.settled'] : [])],
  bid: () => ['bid.placed'],
  mint: () => ['mint'],
  auction: () => ['auction.created'],
  'auction-cancellation': () => ['auction.cancelled'],
  settlement: () => ['auction.settled'],
  offer: () => ['offer.created'],
  'offer-cancellation': () => ['offer.cancelled'],
  'offer-expiry': () => ['offer.expired'],
};

/** The user an activity concerns privately, and what it tells them. */
function privateEvents(a: { kind: string; via: string | null; actor: string; counterparty: string | null }): [string, string][] {
  if (a.kind === 'offer' && a.counterparty) return [['offer.received', a.counterparty]];
  if (a.kind === 'sale') {
    return [
      ...(a.counterparty ? [['sale.sold', a.counterparty] as [string, string]] : []),
      ...(a.via === 'offer' ? [['offer.accepted', a.actor] as [string, string]] : []),
    ];
  }
  return [];
}

function activityEvents(image: Record<string, unknown>): FeedDraft[] {
  const kind = stringOr(image.kind);
  const activityId = stringOr(image.activityId);
  const collectionId = stringOr(image.collectionId);
  if (!kind || !activityId || !collectionId || !publicTypes[kind]) return [];
  const via = stringOr(image.via);
  const actor = stringOr(image.actor) ?? '';
  const counterparty = stringOr(image.counterparty);
  const data = {
    activityId, collectionId, nftId: stringOr(image.nftId), [referenceField(kind, via)]: stringOr(image.reference),
    actor, counterparty, price: numberOr(image.price), at: stringOr(image.at), ...(via ? { via } : {}),
  };
  const channels = [feedChannels.market, feedChannels.collection(collectionId)];
  return [
    ...publicTypes[kind](via).map((type) => ({ sourceId: `${activityId}:${type}`, type, channels, data })),
    ...privateEvents({ kind, via, actor, counterparty }).map(([type, userId]) => ({
      sourceId: `${activityId}:${type}:${userId}`, type, channels: [feedChannels.user(userId)], data,
    })),
  ];
}

/** The stats a `collection.updated` names in `changed` when they moved. */
const collectionFigures = ['floorPrice', 'listedCount', 'volume', 'topOffer'] as const;

function topOfferOf(image: Record<string, unknown>): { offerId: string; amount: number } | null {
  const offerId = stringOr(image.topOfferId);
  const amount = numberOr(image.topOfferAmount);
  return offerId && amount !== null ? { offerId, amount } : null;
}

function figuresOf(image: Record<string, unknown>): Record<(typeof collectionFigures)[number], unknown> {
  return {
    floorPrice: numberOr(image.floorPrice), listedCount: numberOr(image.listedCount), volume: numberOr(image.volume),
    topOffer: topOfferOf(image),
  };
}

function collectionEvents(change: StreamChange, before: Record<string, unknown>, after: Record<string, unknown>): FeedDraft[] {
  const collectionId = stringOr(after.collectionId);
  if (!collectionId) return [];
  const [old, now] = [figuresOf(before), figuresOf(after)];
  const changed = collectionFigures.filter((name) => JSON.stringify(old[name]) !== JSON.stringify(now[name]));
  if (changed.length === 0) return [];
  return [{
    sourceId: `${change.eventId}:collection.updated`, type: 'collection.updated',
    channels: [feedChannels.market, feedChannels.collection(collectionId)],
    data: { collectionId, changed, ...now, at: change.at },
  }];
}

function auctionEvents(change: StreamChange, before: Record<string, unknown>, after: Record<string, unknown>): FeedDraft[] {
  const auctionId = stringOr(after.auctionId);
  const collectionId = stringOr(after.collectionId);
  if (!auctionId || !collectionId) return [];
  const about = { auctionId, collectionId, nftId: stringOr(after.nftId) };
  const drafts: FeedDraft[] = [];
  const [endedAt, endsAt] = [stringOr(before.endsAt), stringOr(after.endsAt)];
  if (endedAt && endsAt && endsAt > endedAt && !after.settledAt) {
    drafts.push({
      sourceId: `${change.eventId}:auction.extended`, type: 'auction.extended',
      channels: [feedChannels.market, feedChannels.collection(collectionId)],
      data: { ...about, endsAt, previousEndsAt: endedAt, at: change.at },
    });
  }
  const outbid = stringOr(before.highestBidder);
  if (outbid && outbid !== stringOr(after.highestBidder) && after.highestBidder) {
    drafts.push({
      sourceId: `${change.eventId}:bid.outbid`, type: 'bid.outbid', channels: [feedChannels.user(outbid)],
      data: { ...about, yourBid: numberOr(before.highestBid), highestBid: numberOr(after.highestBid), at: change.at },
    });
  }
  return drafts;
}

/** The feed events of one stream record: new activity, a collection's changed stats, an auction's moved end or top bidder. */
export function feedEventsOf(change: StreamChange): FeedDraft[] {
  const image = change.newImage;
  if (!image) return [];
  if (change.eventName === 'INSERT' && image.entity === 'activity') return activityEvents(image);
  if (change.eventName !== 'MODIFY' || !change.oldImage) return [];
  if (image.entity === 'collection') return collectionEvents(change, change.oldImage, image);
  if (image.entity === 'auction') return auctionEvents(change, change.oldImage, image);
  return [];
}
