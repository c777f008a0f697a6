import * as z from 'zod/mini';
import { id, money, pageFields } from './common.js';
import { freshnessFields } from './freshness.js';

export const listingSort = z.enum(['price_asc', 'price_desc', 'newest']);

export const listingFilters = z
  .object({
    collectionId: z.optional(id),
    minPrice: z.optional(money),
    maxPrice: z.optional(money),
    sort: z._default(listingSort, 'newest'),
    ...pageFields,
    ...freshnessFields,
  })
  .check(z.refine((f) => f.minPrice === undefined || f.maxPrice === undefined || f.minPrice <= f.maxPrice, {
    message: 'minPrice must not exceed maxPrice',
    path: ['minPrice'],
  }));

export const floorRequest = z.object({
  collectionIds: z.array(id).check(z.minLength(1), z.maxLength(50)),
  ...freshnessFields,
});

export const collectionsQuery = z.object({ ...pageFields, ...freshnessFields });
