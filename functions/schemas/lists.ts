import * as z from 'zod/mini';
import { id, pageFields, windowStatus } from './common.js';
import { freshnessFields } from './freshness.js';

export const auctionFilters = z.object({
  status: z._default(windowStatus, 'live'),
  collectionId: z.optional(id),
  ...pageFields,
  ...freshnessFields,
});

export const presaleFilters = z.object({
  status: z._default(windowStatus, 'live'),
  ...pageFields,
  ...freshnessFields,
});

export const myNftsQuery = z.object({ collectionId: z.optional(id), ...pageFields });

export const offerStatus = z.enum(['open', 'accepted', 'cancelled', 'expired']);
export const myOffersQuery = z.object({
  role: z._default(z.enum(['made', 'received']), 'made'),
  status: z.optional(offerStatus),
  ...pageFields,
});

export const pageQuery = z.object({ ...pageFields });

/**
 * The offer book: a collection's collection offers, or (with nftId) the offers on one of its NFTs. Never cached
 * in Lambda; CloudFront keys on minAsOf (functions/schemas/freshness.ts).
 */
export const openOffersQuery = z.object({ collectionId: id, nftId: z.optional(id), ...pageFields, ...freshnessFields });
