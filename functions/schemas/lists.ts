import * as z from 'zod/mini';
import { attribute, id, pageFields, windowStatus } from './common.js';
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
export const openOffersQuery = z.object({
  collectionId: id, nftId: z.optional(id),
  trait: z.optional(z.pipe(
    z.pipe(
      z.string().check(z.maxLength(200), z.regex(/^[^:]+:.+$/, 'must be Key:Value')),
      z.transform((text: string) => ({ key: text.slice(0, text.indexOf(':')), value: text.slice(text.indexOf(':') + 1) })),
    ),
    attribute,
  ).check(z.describe("A collection's trait offers on one trait: Key:Value (split at the first ':')"))),
  ...pageFields, ...freshnessFields,
}).check(z.refine((q) => q.nftId === undefined || q.trait === undefined, { message: 'Give at most one of nftId or trait', path: ['trait'] }));

export const collectionTraitsQuery = z.object({ ...freshnessFields });
