import * as z from 'zod/mini';
import { id } from './common.js';
import { freshnessFields } from './freshness.js';
import { instant } from './trading.js';

/** The per-collection market reads: order book depth, history and holders. */
export const collectionIdParam = z.object({ collectionId: id });

export const depthQuery = z.object({
  side: z._default(z.enum(['listings', 'offers']), 'listings'),
  levels: z._default(z.int().check(z.gte(1), z.lte(200)), 50),
  ...freshnessFields,
});

export const historyQuery = z.object({
  interval: z._default(z.enum(['1h', '1d']), '1d'),
  from: z.optional(instant.check(z.describe('First instant covered (its bucket is the first point); default: 24 hours (1h) or 30 days (1d) before `to`'))),
  to: z.optional(instant.check(z.describe('Last instant covered (its bucket is the last point); default: now'))),
  ...freshnessFields,
});

export const holdersQuery = z.object({
  limit: z._default(z.int().check(z.gte(1), z.lte(100)), 20),
  ...freshnessFields,
});
