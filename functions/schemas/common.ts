import { z } from 'zod';

/** Opaque identifiers: no '#', which the table uses as its key separator. */
export const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -');

/** Money: an integer of minor units. Never a float, never above 2^53 - 1. */
export const money = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const positiveMoney = money.min(1);

export const limit = z.number().int().min(1).max(100).default(20);
export const cursor = z.string().min(1).max(2048).optional();

export const pageFields = { limit, cursor };

export const windowStatus = z.enum(['live', 'upcoming', 'ended']);
export type WindowStatus = z.infer<typeof windowStatus>;

export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
