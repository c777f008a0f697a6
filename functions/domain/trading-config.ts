export interface TradingConfig {
  /** Marketplace fee on every sale, in basis points. */
  feeBps: number;
  /** A bid this close to the end pushes the end out to this many seconds from the bid. */
  antiSnipingSeconds: number;
  /** Default minimum raise over the highest bid, in basis points. */
  minIncrementBps: number;
  /** Longest an offer may stay open. */
  maxOfferDays: number;
}

function integerFromEnv(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`${name} must be an integer from 0 to ${max}`);
  return value;
}

/** From the function's environment (set per stage by the stack), with safe defaults. */
export function tradingConfig(): TradingConfig {
  return {
    feeBps: integerFromEnv('MARKETPLACE_FEE_BPS', 250, 2_000),
    antiSnipingSeconds: integerFromEnv('ANTI_SNIPING_SECONDS', 300, 86_400),
    minIncrementBps: integerFromEnv('MIN_BID_INCREMENT_BPS', 500, 10_000),
    maxOfferDays: integerFromEnv('MAX_OFFER_DAYS', 90, 3_650),
  };
}
