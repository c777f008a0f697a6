import * as z from 'zod/mini';
import { instant } from './trading.js';

/**
 * Read-your-writes on public reads: the time of the caller's last write (its answer's listedAt, cancelledAt,
 * soldAt, ...). The answer is then read after that write committed (README, "How fresh reads are").
 */
export const freshnessFields = { minAsOf: z.optional(instant) };
