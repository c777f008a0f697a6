import * as z from 'zod/mini';
import { id, pageFields, windowStatus } from './common.js';

export const auctionFilters = z.object({
  status: z._default(windowStatus, 'live'),
  collectionId: z.optional(id),
  ...pageFields,
});
export type AuctionFilters = z.infer<typeof auctionFilters>;

export const presaleFilters = z.object({
  status: z._default(windowStatus, 'live'),
  ...pageFields,
});
export type PresaleFilters = z.infer<typeof presaleFilters>;

export const myNftsQuery = z.object({ collectionId: z.optional(id), ...pageFields });
export type MyNftsQuery = z.infer<typeof myNftsQuery>;

export const offerStatus = z.enum(['open', 'accepted', 'cancelled', 'expired']);
export const myOffersQuery = z.object({
  role: z._default(z.enum(['made', 'received']), 'made'),
  status: z.optional(offerStatus),
  ...pageFields,
});
export type MyOffersQuery = z.infer<typeof myOffersQuery>;

export const pageQuery = z.object({ ...pageFields });
