// zod/mini: the same validation as classic zod at a fraction of the bundle and import time (every Lambda
// with input loads these at init). Classic zod is used only where nothing is deployed (OpenAPI, tests).
import * as z from 'zod/mini';

/** Opaque identifiers: no '#', which the table uses as its key separator. */
export const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'));

/** Money: an integer of minor units. Never a float, never above 2^53 - 1. */
export const money = z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
export const positiveMoney = z.int().check(z.gte(1), z.lte(Number.MAX_SAFE_INTEGER));

export const limit = z._default(z.int().check(z.gte(1), z.lte(100)), 20);
export const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));

export const pageFields = { limit, cursor };

export const windowStatus = z.enum(['live', 'upcoming', 'ended']);
export type WindowStatus = z.infer<typeof windowStatus>;

export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }),
});
