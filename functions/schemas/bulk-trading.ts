import * as z from 'zod/mini';
import { maxBatchItems, maxSweepItems } from '../domain/bulk-limits.js';
import { id, positiveMoney } from './common.js';
import { traitFilterObject } from './market.js';
import { createListingRequest } from './trading.js';

export const sweepRequest = z.strictObject({
  collectionId: id,
  maxItems: z.int().check(z.gte(1), z.lte(maxSweepItems)),
  maxPricePerItem: positiveMoney.check(z.describe('The most the sweep pays for any one NFT, in minor units')),
  attributes: z.optional(traitFilterObject.check(z.describe(
    'Only listings with these traits: {"Background": ["Red", "Blue"], "Eyes": ["Laser"]} is (Red OR Blue) AND Laser',
  ))),
});

export const createListingsRequest = z.strictObject({
  items: z.array(createListingRequest).check(z.minLength(1), z.maxLength(maxBatchItems)),
});

export const cancelListingsRequest = z.strictObject({
  listingIds: z.array(id).check(z.minLength(1), z.maxLength(maxBatchItems)),
});
