import { z } from 'zod';
import { id, pageFields, windowStatus } from './common.js';

export const auctionFilters = z.object({
  status: windowStatus.default('live'),
  collectionId: id.optional(),
  ...pageFields,
});
export type AuctionFilters = z.infer<typeof auctionFilters>;

export const presaleFilters = z.object({
  status: windowStatus.default('live'),
  ...pageFields,
});
export type PresaleFilters = z.infer<typeof presaleFilters>;

export const myNftsQuery = z.object({ collectionId: id.optional(), ...pageFields });
export type MyNftsQuery = z.infer<typeof myNftsQuery>;

export const offerStatus = z.enum(['open', 'accepted', 'cancelled', 'expired']);
export const myOffersQuery = z.object({
  role: z.enum(['made', 'received']).default('made'),
  status: offerStatus.optional(),
  ...pageFields,
});
export type MyOffersQuery = z.infer<typeof myOffersQuery>;

export const pageQuery = z.object({ ...pageFields });
