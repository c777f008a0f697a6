import { z } from 'zod';
import { id, pageFields, positiveMoney } from './common.js';

/** An ISO-8601 instant, normalised to UTC with milliseconds so it sorts as a string. */
export const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

const basisPoints = z.number().int().min(0).max(10_000);

export const topupRequest = z.object({ amount: positiveMoney.max(100_000_000) }).strict();

export const createListingRequest = z.object({ nftId: id, price: positiveMoney }).strict();

export const createOfferRequest = z
  .object({ nftId: id.optional(), collectionId: id.optional(), amount: positiveMoney, expiresAt: instant })
  .strict()
  .refine((o) => (o.nftId === undefined) !== (o.collectionId === undefined), {
    message: 'Give exactly one of nftId or collectionId', path: ['nftId'],
  });

export const acceptOfferRequest = z.object({ nftId: id.optional() }).strict();

export const createAuctionRequest = z
  .object({
    nftId: id, reservePrice: positiveMoney, startsAt: instant.optional(), endsAt: instant,
    minIncrementBps: basisPoints.min(1).optional(),
  })
  .strict();

export const bidRequest = z.object({ amount: positiveMoney }).strict();

export const purchaseRequest = z.object({ quantity: z.number().int().min(1).max(20) }).strict();

export const createCollectionRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    image: z.url({ protocol: /^https?$/ }).max(2048),
    royaltyBps: basisPoints.max(2_500),
  })
  .strict();

export const createPresaleRequest = z
  .object({
    collectionId: id, price: positiveMoney, supply: z.number().int().min(1).max(100_000),
    perWalletLimit: z.number().int().min(1).max(20), startsAt: instant, endsAt: instant,
    allowlist: z.array(id).min(1).max(1_000).optional(),
  })
  .strict();

export const activityQuery = z.object({ collectionId: id.optional(), nftId: id.optional(), ...pageFields });
export type ActivityQuery = z.infer<typeof activityQuery>;

export const listingIdParam = z.object({ listingId: id });
export const offerIdParam = z.object({ offerId: id });
export const auctionIdParam = z.object({ auctionId: id });
export const presaleIdParam = z.object({ presaleId: id });
