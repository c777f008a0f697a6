/**
 * Whose activity an activity is: the users whose own feed (`GET /users/me/activity`) shows it, and as what.
 */
import type { ActivityKind } from './market-stats.js';

export const activityRoles = ['buyer', 'seller', 'bidder', 'offer-maker', 'offer-recipient', 'minter'] as const;
export type ActivityRole = (typeof activityRoles)[number];

const actorRole: Record<ActivityKind, ActivityRole> = {
  sale: 'buyer', mint: 'minter', bid: 'bidder',
  listing: 'seller', cancellation: 'seller', auction: 'seller', 'auction-cancellation': 'seller', settlement: 'seller',
  offer: 'offer-maker', 'offer-cancellation': 'offer-maker', 'offer-expiry': 'offer-maker',
};

/** The counterparty of a sale is its seller; of an NFT offer (made or closed), the owner it was made to. */
const counterpartyRole: Partial<Record<ActivityKind, ActivityRole>> = {
  sale: 'seller', offer: 'offer-recipient', 'offer-cancellation': 'offer-recipient', 'offer-expiry': 'offer-recipient',
};

export function participants(a: { kind: ActivityKind; actor: string; counterparty: string | null }): Array<{ userId: string; role: ActivityRole }> {
  const found = [{ userId: a.actor, role: actorRole[a.kind] }];
  const other = counterpartyRole[a.kind];
  if (a.counterparty !== null && other && a.counterparty !== a.actor) found.push({ userId: a.counterparty, role: other });
  return found;
}
