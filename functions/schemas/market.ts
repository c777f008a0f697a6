import { z } from 'zod';
import { id, money, pageFields } from './common.js';

export const listingSort = z.enum(['price_asc', 'price_desc', 'newest']);

export const listingFilters = z
  .object({
    collectionId: id.optional(),
    minPrice: money.optional(),
    maxPrice: money.optional(),
    sort: listingSort.default('newest'),
    ...pageFields,
  })
  .refine((f) => f.minPrice === undefined || f.maxPrice === undefined || f.minPrice <= f.maxPrice, {
    message: 'minPrice must not exceed maxPrice',
    path: ['minPrice'],
  });
export type ListingFilters = z.infer<typeof listingFilters>;

export const floorRequest = z.object({
  collectionIds: z.array(id).min(1).max(50),
});
export type FloorRequest = z.infer<typeof floorRequest>;

export const collectionsQuery = z.object({ ...pageFields });
