import { DomainError } from './errors.js';

/** Why a sweep passed over a listing it tried. */
export type SkipReason = 'OWN_LISTING' | 'SOLD' | 'CANCELLED' | 'PRICE_ABOVE_MAX' | 'INSUFFICIENT_FUNDS' | 'UNAVAILABLE';

/** A listing a sweep may buy: what its price entry says. */
export interface Candidate {
  listingId: string;
  price: number;
}

/** Why a sweep passes over a listing as read just before its buy, or null: buy it. */
export function skipReason(listing: { status: string; seller: string; price: number }, buyer: string, maxPrice: number): SkipReason | null {
  if (listing.status === 'sold') return 'SOLD';
  if (listing.status === 'cancelled') return 'CANCELLED';
  if (listing.status !== 'active') return 'UNAVAILABLE';
  if (listing.seller === buyer) return 'OWN_LISTING';
  if (listing.price > maxPrice) return 'PRICE_ABOVE_MAX';
  return null;
}

/** Thrown from a buy's check: the sweep passes over this listing for `reason`, with nothing written. */
export class SweepSkip extends Error {
  constructor(readonly reason: SkipReason) {
    super(`sweep skips this listing: ${reason}`);
    this.name = 'SweepSkip';
  }
}

/**
 * What a sweep goes for next, from candidates cheapest first: as many as it still needs, as far as the balance
 * covers them together. That is the set buying cheapest-first until the money runs out would get, so the
 * order they are bought in is free. Empty when even the cheapest is beyond the balance.
 */
export function affordable(candidates: readonly Candidate[], need: number, balance: number): Candidate[] {
  const chosen: Candidate[] = [];
  let left = balance;
  for (const candidate of candidates) {
    if (chosen.length >= need || candidate.price > left) break;
    chosen.push(candidate);
    left -= candidate.price;
  }
  return chosen;
}

/**
 * A sweep buys its set in random order: sweepers after the same cheapest listings then mostly start on different
 * ones instead of all racing for the first, then all for the second.
 */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * 503: the sweep ran out of its invocation's time. What it bought stays bought; the same request with the same
 * Idempotency-Key carries on from there, never past maxItems in all.
 */
export const sweepIncomplete = (bought: number) => new DomainError(503, 'SWEEP_INCOMPLETE',
  `The sweep bought ${bought} so far and ran out of time; send it again with the same Idempotency-Key to continue`, { bought });
