/**
 * The activity feed's public types and the stored activity kinds each one gathers. Every stored kind has
 * exactly one public type, so the types split the feed: a filter on several returns each item once.
 */
import type { ActivityKind } from './market-stats.js';

export const publicActivityTypes = ['sale', 'listing', 'cancel', 'bid', 'mint', 'offer', 'transfer'] as const;
export type PublicActivityType = (typeof publicActivityTypes)[number];

/**
 * `listing`: an NFT put up for sale, at a fixed price or by auction. `cancel`: a listing, auction or offer that
 * ended without a sale (cancelled by its maker, an offer expired, an auction ended with no bid). `sale`: every
 * sale, by listing, accepted offer or won auction. `transfer`: a change of owner that is neither a sale nor a
 * mint; nothing moves an NFT that way yet, so no stored kind is a transfer and the filter finds nothing.
 */
const kindsOfType: Readonly<Record<PublicActivityType, readonly ActivityKind[]>> = {
  sale: ['sale'],
  listing: ['listing', 'auction'],
  cancel: ['cancellation', 'auction-cancellation', 'settlement', 'offer-cancellation', 'offer-expiry'],
  bid: ['bid'],
  mint: ['mint'],
  offer: ['offer'],
  transfer: [],
};

const typeByKind = new Map<string, PublicActivityType>(
  publicActivityTypes.flatMap((type) => kindsOfType[type].map((kind) => [kind, type] as const)),
);

export function kindsOf(types: readonly PublicActivityType[]): ActivityKind[] {
  return types.flatMap((type) => kindsOfType[type]);
}

export function publicTypeOf(kind: string): PublicActivityType {
  const type = typeByKind.get(kind);
  if (!type) throw new Error(`activity kind ${kind} has no public type`);
  return type;
}

/**
 * What a `types` filter asks for: the types that can hold items, once each and in a fixed order (so a cursor
 * serves the same set however it is spelled), or null when they are every type (no filter at all).
 */
export function typeSelection(types: readonly PublicActivityType[] | undefined): PublicActivityType[] | null {
  if (types === undefined) return null;
  const chosen = publicActivityTypes.filter((type) => types.includes(type) && kindsOfType[type].length > 0);
  const all = publicActivityTypes.filter((type) => kindsOfType[type].length > 0);
  return chosen.length === all.length ? null : chosen;
}
