import { z } from 'zod';
import { activityRoles } from '../domain/activity-roles.js';
import { publicActivityTypes } from '../domain/activity-types.js';

/** Response shapes: documentation in the OpenAPI document, and the contract the tests hold bodies to. */
const money = z.number().int();
const timestamp = z.string();
const windowStatus = z.enum(['live', 'upcoming', 'ended']);

/** When the answer's data was read from DynamoDB; a cached answer keeps it, so a client sees how old it is. */
const asOf = z.iso.datetime().describe('When this answer was read from DynamoDB (a cached answer keeps its original asOf)');
/** When the stream aggregator last wrote a figure: not when it was read (`asOf`). */
const aggregatedAt = (what: string) => timestamp.nullable().describe(`When the stream aggregator last set ${what} (null: never)`);

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable(), asOf });

const attribute = z.object({ key: z.string(), value: z.string() });
const attributes = z.array(attribute).describe("The NFT's traits (a listing copies them when listed)");

export const listing = z.object({
  listingId: z.string(), nftId: z.string(), collectionId: z.string(), seller: z.string(),
  price: money, listedAt: timestamp, name: z.string(), image: z.string(), attributes,
});

export const floors = z.object({
  asOf,
  floors: z.array(z.object({
    collectionId: z.string(), floorPrice: money.nullable(), listingId: z.string().nullable(), floorAsOf: aggregatedAt('this floor'),
  })),
});

const changeRatio = z.number().nullable().describe('(this window - the one before) / the one before; null when the one before had none');
const statsWindow = z.object({ volume: money, sales: z.number().int(), volumeChange: changeRatio, salesChange: changeRatio });

export const collection = z.object({
  collectionId: z.string(), name: z.string(), image: z.string(), creator: z.string(), royaltyBps: z.number().int(),
  stats: z.object({
    floorPrice: money.nullable(), listedCount: z.number().int(), volume: money, sales: z.number().int(), owners: z.number().int(),
    topOffer: z.object({ offerId: z.string(), amount: money }).nullable().describe('The best open collection offer'),
    statsAsOf: aggregatedAt('listedCount, volume, sales and owners'), floorAsOf: aggregatedAt('floorPrice'),
    topOfferAsOf: aggregatedAt('topOffer'),
    windows: z.object({ '1d': statsWindow, '7d': statsWindow, '30d': statsWindow, all: statsWindow })
      .describe('1d: the 24 hourly buckets ending with the current hour; 7d, 30d: the daily (UTC) buckets ending with today; all: all time'),
    windowsAsOf: aggregatedAt('the 1d, 7d and 30d windows (after each sale, and hourly)'),
  }),
});

export const account = z.object({
  userId: z.string(), balance: money, held: money, updatedAt: timestamp.nullable(),
});

export const ownedNft = z.object({
  nftId: z.string(), collectionId: z.string(), name: z.string(), image: z.string(),
  listingId: z.string().nullable(), auctionId: z.string().nullable(), attributes,
});

export const offer = z.object({
  offerId: z.string(), buyer: z.string(), recipient: z.string().nullable(), nftId: z.string().nullable(),
  collectionId: z.string(), amount: money, expiresAt: timestamp,
  status: z.enum(['open', 'accepted', 'cancelled', 'expired']), createdAt: timestamp,
  trait: attribute.nullable().describe('A trait offer: only NFTs with this trait may accept it'),
});

export const collectionTraits = z.object({
  collectionId: z.string(), asOf,
  traits: z.array(z.object({
    key: z.string(),
    values: z.array(z.object({
      value: z.string(), tokenCount: z.number().int().describe('NFTs of the collection with this trait'),
      listedCount: z.number().int().describe('Of them, listed'), floorPrice: money.nullable().describe('The cheapest listing with this trait'),
      topOffer: z.object({ offerId: z.string(), amount: money }).nullable().describe('The best open trait offer on this trait'),
      statsAsOf: aggregatedAt('tokenCount and listedCount'), floorAsOf: aggregatedAt('floorPrice'), topOfferAsOf: aggregatedAt('topOffer'),
    })),
  })),
});

export const auction = z.object({
  auctionId: z.string(), nftId: z.string(), collectionId: z.string(), seller: z.string(), name: z.string(),
  image: z.string(), reservePrice: money, highestBid: money.nullable(), bidCount: z.number().int(),
  startsAt: timestamp, endsAt: timestamp, scheduledEndsAt: timestamp, status: windowStatus,
});

export const presale = z.object({
  presaleId: z.string(), collectionId: z.string(), name: z.string(), image: z.string(), price: money,
  supply: z.number().int(), sold: z.number().int(), perWalletLimit: z.number().int(),
  startsAt: timestamp, endsAt: timestamp, status: windowStatus,
});

export const sale = z.object({
  nftId: z.string(), collectionId: z.string(), buyer: z.string(), seller: z.string(), price: money,
  fee: money, royalty: money, proceeds: money, soldAt: timestamp,
  listingId: z.string().optional(), offerId: z.string().optional(),
});

export const closed = z.object({ status: z.literal('cancelled'), listingId: z.string().optional(), offerId: z.string().optional() });

export const auctionCancellation = z.object({ auctionId: z.string(), status: z.literal('cancelled'), cancelledAt: timestamp });

/** cancelledAt: pass it as minAsOf to see the listing gone from the public lists at once. */
export const cancelledListing = closed.extend({ cancelledAt: timestamp });

export const settlement = z.object({
  auctionId: z.string(), outcome: z.enum(['sold', 'unsold']), winner: z.string().nullable(), price: money.nullable(), settledAt: timestamp,
});

export const purchase = z.object({
  purchaseId: z.string(), presaleId: z.string(), buyer: z.string(), quantity: z.number().int(), cost: money,
  nftIds: z.array(z.string()), purchasedAt: timestamp,
});

export const activity = z.object({
  activityId: z.string(),
  type: z.enum(publicActivityTypes).describe('Its public type, what `types` filters on; `kind` tells which stored kind'),
  kind: z.enum(['listing', 'cancellation', 'sale', 'bid', 'mint', 'auction', 'auction-cancellation', 'settlement', 'offer', 'offer-cancellation', 'offer-expiry']),
  nftId: z.string().nullable().describe('null for a collection offer'), collectionId: z.string(), actor: z.string(), counterparty: z.string().nullable(),
  price: money.nullable(), reference: z.string(), at: timestamp,
});

export const depth = z.object({
  asOf, side: z.enum(['listings', 'offers']),
  levels: z.array(z.object({
    price: money, count: z.number().int().describe('Orders at this price'),
    total: z.number().int().describe('Orders at this price or better, from the best level'),
  })).describe('Best first: listings cheapest first, collection offers highest first'),
  orders: z.number().int().describe('Orders read'), maxOrders: z.number().int().describe('The most orders one answer reads (the best ones)'),
  maxLevels: z.number().int(),
  complete: z.boolean().describe('false: the book goes on past this answer (more than maxOrders orders or maxLevels levels)'),
});

export const history = z.object({
  asOf, interval: z.enum(['1h', '1d']),
  points: z.array(z.object({
    t: timestamp.describe("The bucket's start (UTC)"),
    floor: money.nullable().describe('The last floor read in the bucket, else the one before it (null: none known)'),
    volume: money, sales: z.number().int(),
  })).describe('One per bucket of the range, oldest first; a bucket with no sale has volume 0 and sales 0'),
});

export const holders = z.object({
  asOf,
  holders: z.array(z.object({ userId: z.string(), quantity: z.number().int(), share: z.number().describe('quantity / supply, six decimals') }))
    .describe('Most NFTs first'),
  distribution: z.array(z.object({ tokens: z.enum(['1', '2-3', '4-10', '11-25', '26-50', '51+']), holders: z.number().int() })),
  owners: z.number().int().describe('Users holding at least one'), supply: z.number().int().describe('NFTs held in all (every NFT minted)'),
});
/** An activity in the caller's own feed, with what the caller was in it. */
export const userActivity = activity.extend({ role: z.enum(activityRoles) });
const itemError = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
  .describe('Why this item was refused: the code and message a single request for it would have answered');

export const sweep = z.object({
  bought: z.array(z.object({ listingId: z.string(), nftId: z.string(), price: money })).describe('Cheapest first'),
  skipped: z.array(z.object({
    listingId: z.string(),
    reason: z.enum(['OWN_LISTING', 'SOLD', 'CANCELLED', 'PRICE_ABOVE_MAX', 'INSUFFICIENT_FUNDS', 'UNAVAILABLE']),
  })).describe('Listings it tried and passed over (SOLD, CANCELLED: someone else was first)'),
  spent: money.describe('What the balance paid: the sum of the prices bought'),
});

export const listingBatch = z.object({
  results: z.array(z.union([
    z.object({ nftId: z.string(), status: z.literal('created'), listing }),
    z.object({ nftId: z.string(), error: itemError }),
  ])).describe('One per item, in request order'),
});

export const cancellationBatch = z.object({
  results: z.array(z.union([
    z.object({ listingId: z.string(), status: z.literal('cancelled'), cancelledAt: timestamp }),
    z.object({ listingId: z.string(), error: itemError }),
  ])).describe('One per listing, in request order'),
});
