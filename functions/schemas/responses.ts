import { z } from 'zod';

/** Response shapes: documentation in the OpenAPI document, and the contract the tests hold bodies to. */
const money = z.number().int();
const timestamp = z.string();
const windowStatus = z.enum(['live', 'upcoming', 'ended']);

/** When the answer's data was read from DynamoDB; a cached answer keeps it, so a client sees how old it is. */
const asOf = z.iso.datetime().describe('When this answer was read from DynamoDB (a cached answer keeps its original asOf)');
/** When the stream aggregator last wrote a figure: not when it was read (`asOf`). */
const aggregatedAt = (what: string) => timestamp.nullable().describe(`When the stream aggregator last set ${what} (null: never)`);

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable(), asOf });

export const listing = z.object({
  listingId: z.string(), nftId: z.string(), collectionId: z.string(), seller: z.string(),
  price: money, listedAt: timestamp, name: z.string(), image: z.string(),
});

export const floors = z.object({
  asOf,
  floors: z.array(z.object({
    collectionId: z.string(), floorPrice: money.nullable(), listingId: z.string().nullable(), floorAsOf: aggregatedAt('this floor'),
  })),
});

export const collection = z.object({
  collectionId: z.string(), name: z.string(), image: z.string(), creator: z.string(), royaltyBps: z.number().int(),
  stats: z.object({
    floorPrice: money.nullable(), listedCount: z.number().int(), volume: money, sales: z.number().int(), owners: z.number().int(),
    topOffer: z.object({ offerId: z.string(), amount: money }).nullable().describe('The best open collection offer'),
    statsAsOf: aggregatedAt('listedCount, volume, sales and owners'), floorAsOf: aggregatedAt('floorPrice'),
    topOfferAsOf: aggregatedAt('topOffer'),
  }),
});

export const account = z.object({
  userId: z.string(), balance: money, held: money, updatedAt: timestamp.nullable(),
});

export const ownedNft = z.object({
  nftId: z.string(), collectionId: z.string(), name: z.string(), image: z.string(),
  listingId: z.string().nullable(), auctionId: z.string().nullable(),
});

export const offer = z.object({
  offerId: z.string(), buyer: z.string(), recipient: z.string().nullable(), nftId: z.string().nullable(),
  collectionId: z.string(), amount: money, expiresAt: timestamp,
  status: z.enum(['open', 'accepted', 'cancelled', 'expired']), createdAt: timestamp,
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

export const topup = z.object({
  topupId: z.string(), amount: money, status: z.literal('completed'), createdAt: timestamp,
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
  kind: z.enum(['listing', 'cancellation', 'sale', 'bid', 'mint', 'auction', 'auction-cancellation', 'settlement', 'offer', 'offer-cancellation', 'offer-expiry']),
  nftId: z.string().nullable().describe('null for a collection offer'), collectionId: z.string(), actor: z.string(), counterparty: z.string().nullable(),
  price: money.nullable(), reference: z.string(), at: timestamp,
});

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
