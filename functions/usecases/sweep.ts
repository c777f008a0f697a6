import { DomainError } from '../domain/errors.js';
import type { TradingConfig } from '../domain/trading-config.js';
import { InsufficientFundsError, tradingErrors } from '../domain/trading-errors.js';
import { affordable, shuffled, skipReason, sweepIncomplete, SweepSkip, type Candidate, type SkipReason } from '../domain/sweep.js';
import type { TraitFilter } from '../domain/traits.js';
import { readAccountWithCredits } from '../data/account-repository.js';
import { readSweepSlots, SlotTaken, sweepCandidates, sweepSlotWrite } from '../data/sweep-repository.js';
import { buyListing } from './listings.js';

export interface SweepRequest {
  collectionId: string;
  maxItems: number;
  maxPricePerItem: number;
  attributes?: TraitFilter | undefined;
}

export interface SweepResult {
  bought: Array<{ listingId: string; nftId: string; price: number }>;
  skipped: Array<{ listingId: string; reason: SkipReason }>;
  spent: number;
}

type Outcome =
  | { kind: 'bought'; nftId: string; price: number }
  | { kind: 'skipped'; reason: SkipReason }
  | { kind: 'slot-taken' };

/** What the buyer can spend now: the balance plus credits not yet added to it (a debit adds them first). */
async function spendable(buyer: string): Promise<number> {
  const { account, credits } = await readAccountWithCredits(buyer, true);
  return credits.reduce((sum, credit) => sum + (credit.balanceDelta as number), (account?.balance as number | undefined) ?? 0);
}

const hasCode = (error: unknown, code: string) => error instanceof DomainError && error.code === code;

/**
 * Buys up to `maxItems` of the cheapest active listings of a collection priced at most `maxPricePerItem`, each in
 * the single-buy transaction (same money rules) plus this sweep's next slot (keys.sweepSlot). A sweep is one
 * (buyer, sweepId): run again, it first reads its slots, so it carries on where an earlier attempt stopped and never
 * holds more than `maxItems` slots in all, even when two attempts run at once.
 *
 * Rounds: read the cheapest candidates it has not tried, keep those the balance covers together, buy them in random
 * order. A listing someone else took (SOLD, CANCELLED) ends the round, so the next one reads what is left; a
 * conflict with a transaction in flight is retried, never skipped. Past `deadline` (epoch ms) it stops with 503
 * SWEEP_INCOMPLETE rather than be cut off mid-write.
 */
export async function sweepCollection(
  buyer: string, sweepId: string, request: SweepRequest, requestHash: string, config: TradingConfig, deadline: number,
): Promise<SweepResult> {
  const bought = new Map<string, { listingId: string; nftId: string; price: number; slot: number }>();
  const skipped: SweepResult['skipped'] = [];
  const tried = new Set<string>();

  const readSlots = async () => {
    for (const slot of await readSweepSlots(buyer, sweepId)) {
      if (slot.requestHash !== requestHash) throw tradingErrors.idempotencyKeyReused();
      bought.set(slot.listingId, slot);
      tried.add(slot.listingId);
    }
  };
  const nextSlot = () => Math.max(0, ...[...bought.values()].map((b) => b.slot)) + 1;

  const buyOne = async (candidate: Candidate, slot: number): Promise<Outcome> => {
    for (let unavailable = 0; ;) {
      if (Date.now() > deadline) throw sweepIncomplete(bought.size);
      try {
        const sale = await buyListing(buyer, candidate.listingId, new Date(), config, {
          check: (listing) => {
            const reason = skipReason(listing, buyer, request.maxPricePerItem);
            if (reason) throw new SweepSkip(reason);
          },
          writes: (listing, at) => [sweepSlotWrite({
            userId: buyer, sweepId, slot, requestHash, listingId: listing.listingId, nftId: listing.nftId, price: listing.price, boughtAt: at,
          })],
        });
        return { kind: 'bought', nftId: sale.nftId, price: sale.price };
      } catch (error) {
        if (error instanceof SweepSkip) return { kind: 'skipped', reason: error.reason };
        if (error instanceof SlotTaken) return { kind: 'slot-taken' };
        if (error instanceof InsufficientFundsError) return { kind: 'skipped', reason: 'INSUFFICIENT_FUNDS' };
        // Transactions in flight on this listing or the buyer's account outlasted the buy's own retries: go again.
        if (hasCode(error, 'CONCURRENT_UPDATE')) continue;
        // Closed between the read and the write: the next read says how (SOLD, CANCELLED).
        if (hasCode(error, 'LISTING_UNAVAILABLE') && ++unavailable < 3) continue;
        if (hasCode(error, 'LISTING_UNAVAILABLE') || hasCode(error, 'LISTING_NOT_FOUND')) return { kind: 'skipped', reason: 'UNAVAILABLE' };
        throw error;
      }
    }
  };

  await readSlots();
  let fundsLeft = true;
  while (fundsLeft && bought.size < request.maxItems) {
    const need = request.maxItems - bought.size;
    const candidates = await sweepCandidates({
      collectionId: request.collectionId, maxPrice: request.maxPricePerItem, limit: need, exclude: tried, attributes: request.attributes,
    });
    if (candidates.length === 0) break;
    const round = affordable(candidates, need, await spendable(buyer));
    // Nothing affordable: the cheapest goes to the buy itself, which refuses it for funds with nothing written.
    for (const candidate of round.length > 0 ? shuffled(round) : candidates.slice(0, 1)) {
      const slot = nextSlot();
      const outcome = await buyOne(candidate, slot);
      if (outcome.kind === 'slot-taken') {
        await readSlots();
        break;
      }
      tried.add(candidate.listingId);
      if (outcome.kind === 'bought') {
        bought.set(candidate.listingId, { listingId: candidate.listingId, nftId: outcome.nftId, price: outcome.price, slot });
        continue;
      }
      skipped.push({ listingId: candidate.listingId, reason: outcome.reason });
      if (outcome.reason === 'INSUFFICIENT_FUNDS') fundsLeft = false;
      if (outcome.reason !== 'OWN_LISTING') break;
    }
  }
  const purchases = [...bought.values()]
    .map(({ listingId, nftId, price }) => ({ listingId, nftId, price }))
    .sort((a, b) => a.price - b.price || (a.listingId < b.listingId ? -1 : 1));
  return { bought: purchases, skipped, spent: purchases.reduce((sum, p) => sum + p.price, 0) };
}
