/** Auctions and presales run in a window [startsAt, endsAt). */
export type WindowStatus = 'live' | 'upcoming' | 'ended';

export function windowStatus(window: { startsAt: string; endsAt: string }, now: string): WindowStatus {
  if (now < window.startsAt) return 'upcoming';
  if (now < window.endsAt) return 'live';
  return 'ended';
}

export interface WindowQueryPlan {
  /** Which timestamp the list is ordered by. */
  orderBy: 'endsAt' | 'startsAt';
  /** Items whose orderBy timestamp is after `now` (true) or at/before it (false). */
  after: boolean;
  ascending: boolean;
  /** Live items are those ending after now that have also started. */
  mustHaveStarted: boolean;
}

/**
 * live: ending soonest first; upcoming: starting soonest first; ended: most recently ended first (auctions go by
 * their scheduled end, which anti-sniping does not move).
 * ISO-8601 UTC timestamps compare correctly as strings.
 */
export function planWindowQuery(status: WindowStatus): WindowQueryPlan {
  switch (status) {
    case 'live': return { orderBy: 'endsAt', after: true, ascending: true, mustHaveStarted: true };
    case 'upcoming': return { orderBy: 'startsAt', after: true, ascending: true, mustHaveStarted: false };
    case 'ended': return { orderBy: 'endsAt', after: false, ascending: false, mustHaveStarted: false };
  }
}
