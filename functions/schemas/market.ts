import * as z from 'zod/mini';
import { id, money, pageFields, traitKey, traitValue } from './common.js';
import { freshnessFields } from './freshness.js';

export const listingSort = z.enum(['price_asc', 'price_desc', 'newest']);

/** Most trait keys, and values per key, one trait filter may name. */
const maxFilterKeys = 8;
const maxFilterValues = 16;

export const traitFilterObject = z.record(traitKey, z.array(traitValue).check(z.minLength(1), z.maxLength(maxFilterValues))).check(
  z.refine((filter) => Object.keys(filter).length >= 1 && Object.keys(filter).length <= maxFilterKeys, `name 1 to ${maxFilterKeys} trait keys`),
);

/** The GET form: the same object as JSON text, URL-encoded (`attributes=%7B%22Eyes%22%3A%5B%22Laser%22%5D%7D`). */
const traitFilterJson = z.pipe(
  z.string().check(z.maxLength(4096)),
  z.transform((text: string, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.issues.push({ code: 'custom', message: 'must be JSON: {"Key": ["Value", ...]}', input: text });
      return z.NEVER;
    }
  }),
);

/** Listings with these traits: any of a key's values, every key named. */
export const traitFilter = z.union([traitFilterObject, z.pipe(traitFilterJson, traitFilterObject)]).check(z.describe(
  'Only listings with these traits: {"Background": ["Red", "Blue"], "Eyes": ["Laser"]} is (Red OR Blue) AND Laser. '
  + 'Needs collectionId and a price sort. In GET, the same object as URL-encoded JSON',
));

export const listingFilters = z
  .object({
    collectionId: z.optional(id),
    minPrice: z.optional(money),
    maxPrice: z.optional(money),
    attributes: z.optional(traitFilter),
    sort: z._default(listingSort, 'newest'),
    ...pageFields,
    ...freshnessFields,
  })
  .check(z.refine((f) => f.minPrice === undefined || f.maxPrice === undefined || f.minPrice <= f.maxPrice, {
    message: 'minPrice must not exceed maxPrice',
    path: ['minPrice'],
  }), z.refine((f) => f.attributes === undefined || f.collectionId !== undefined, {
    message: 'A trait filter needs collectionId', path: ['attributes'],
  }), z.refine((f) => f.attributes === undefined || f.sort !== 'newest', {
    message: 'A trait filter lists by price: sort price_asc or price_desc', path: ['sort'],
  }));

export const floorRequest = z.object({
  collectionIds: z.array(id).check(z.minLength(1), z.maxLength(50)),
  ...freshnessFields,
});

export const collectionsQuery = z.object({ ...pageFields, ...freshnessFields });
