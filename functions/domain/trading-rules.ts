import type { Presale } from './catalog.js';
import { ValidationError } from './errors.js';
import { bpsOf } from './money.js';
import { windowStatus } from './time-windows.js';
import { tradingErrors } from './trading-errors.js';

/** Plain rules of the marketplace: no I/O, so they are tested without DynamoDB. */

export interface NftState {
  nftId: string;
  collectionId: string;
  owner: string;
  listingId: string | null;
  auctionId: string | null;
}

/** Only the owner may list or auction an NFT, and only while it is in no open listing or auction. */
export function assertCanSell<T extends NftState>(nft: T | null, caller: string): T {
  if (!nft) throw tradingErrors.nftNotFound();
  if (nft.owner !== caller) throw tradingErrors.notOwner();
  if (nft.listingId || nft.auctionId) throw tradingErrors.nftBusy();
  return nft;
}

/** The longest an auction may be scheduled to run, from its start to its end. */
export const maxAuctionDays = 30;

/**
 * Anti-sniping extends an auction at most this far past its scheduled end, so every auction ends, and a
 * live auction's scheduled end is never more than this before now (the live list's key range relies on it).
 */
export const maxAuctionOvertimeMinutes = 60;

export interface AuctionState {
  auctionId: string;
  seller: string;
  reservePrice: number;
  highestBid: number | null;
  highestBidder: string | null;
  minIncrementBps: number;
  startsAt: string;
  /** When it ends: the scheduled end, later if bids in its last moments extended it. */
  endsAt: string;
  /** The end set at creation; it never moves (lists are ordered by it). */
  scheduledEndsAt: string;
  /** When it closed: settled, or cancelled by its seller (then cancelledAt too). Writes require it null. */
  settledAt: string | null;
  cancelledAt: string | null;
}

/** The least the next bid may be: the reserve, then the highest bid plus the minimum increment (at least 1). */
export function minimumNextBid(auction: Pick<AuctionState, 'reservePrice' | 'highestBid' | 'minIncrementBps'>): number {
  if (auction.highestBid === null) return auction.reservePrice;
  return auction.highestBid + Math.max(1, bpsOf(auction.highestBid, auction.minIncrementBps));
}

/**
 * A bid's effect: the new end time once the bid is accepted. A bid inside the last `antiSnipingSeconds`
 * pushes the end to that long after the bid (anti-sniping), but never past the scheduled end plus
 * `maxAuctionOvertimeMinutes`. `now` is the time of this very attempt.
 */
export function acceptBid(auction: AuctionState, bidder: string, amount: number, now: Date, antiSnipingSeconds: number): { endsAt: string } {
  if (auction.cancelledAt) throw tradingErrors.auctionCancelled();
  if (auction.settledAt || windowStatus(auction, now.toISOString()) !== 'live') throw tradingErrors.auctionNotLive();
  if (bidder === auction.seller) throw tradingErrors.ownAuction();
  if (bidder === auction.highestBidder) throw tradingErrors.alreadyHighestBidder();
  const minimum = minimumNextBid(auction);
  if (amount < minimum) throw tradingErrors.bidTooLow(minimum);
  const latestEnd = Date.parse(auction.scheduledEndsAt) + maxAuctionOvertimeMinutes * 60_000;
  const extendedEnd = new Date(Math.min(now.getTime() + antiSnipingSeconds * 1000, latestEnd)).toISOString();
  return { endsAt: extendedEnd > auction.endsAt ? extendedEnd : auction.endsAt };
}

export function assertCanSettle<T extends AuctionState>(auction: T | null, now: Date): T {
  if (!auction) throw tradingErrors.auctionNotFound();
  if (auction.cancelledAt) throw tradingErrors.auctionCancelled();
  if (auction.settledAt) throw tradingErrors.auctionSettled();
  if (now.toISOString() < auction.endsAt) throw tradingErrors.auctionNotEnded();
  return auction;
}

/**
 * The seller may cancel an auction until it takes its first bid or ends. An auction its seller cancelled
 * already passes too (`cancelledAt` set): a retried cancellation answers with the first one.
 */
export function assertCanCancel<T extends AuctionState>(auction: T | null, caller: string, now: Date): T {
  if (!auction) throw tradingErrors.auctionNotFound();
  if (auction.seller !== caller) throw tradingErrors.notSeller();
  if (auction.cancelledAt) return auction;
  if (auction.settledAt) throw tradingErrors.auctionSettled();
  if (auction.highestBid !== null) throw tradingErrors.auctionHasBids();
  if (now.toISOString() >= auction.endsAt) throw tradingErrors.auctionEnded();
  return auction;
}

export function assertAuctionWindow(startsAt: string, endsAt: string, now: Date): void {
  if (endsAt <= startsAt) throw new ValidationError('endsAt must be after startsAt', [{ path: 'endsAt', message: 'must be after startsAt' }]);
  if (endsAt <= now.toISOString()) throw new ValidationError('endsAt must be in the future', [{ path: 'endsAt', message: 'must be in the future' }]);
  if (Date.parse(endsAt) - Date.parse(startsAt) > maxAuctionDays * 86_400_000) {
    throw new ValidationError(`endsAt must be within ${maxAuctionDays} days of startsAt`, [
      { path: 'endsAt', message: `must be within ${maxAuctionDays} days of startsAt` },
    ]);
  }
}

export interface OfferState {
  offerId: string;
  buyer: string;
  nftId: string | null;
  collectionId: string;
  amount: number;
  status: string;
  expiresAt: string;
}

export function assertOfferExpiry(expiresAt: string, now: Date, maxOfferDays: number): void {
  const latest = new Date(now.getTime() + maxOfferDays * 86_400_000).toISOString();
  if (expiresAt <= now.toISOString() || expiresAt > latest) {
    throw new ValidationError(`expiresAt must be in the future and within ${maxOfferDays} days`, [
      { path: 'expiresAt', message: `must be in the future and within ${maxOfferDays} days` },
    ]);
  }
}

/** Who may accept: the current owner of the offered NFT (for a collection offer, of the NFT they name). */
export function assertCanAccept<O extends OfferState, N extends NftState>(offer: O | null, nft: N | null, caller: string, now: Date): { offer: O; nft: N } {
  if (!offer) throw tradingErrors.offerNotFound();
  if (offer.status !== 'open' || offer.expiresAt <= now.toISOString()) throw tradingErrors.offerNotOpen();
  if (!nft) throw tradingErrors.nftNotFound();
  if (offer.nftId !== null && offer.nftId !== nft.nftId) throw tradingErrors.offerNotFound();
  if (nft.collectionId !== offer.collectionId) throw tradingErrors.wrongCollection();
  if (nft.owner !== caller) throw tradingErrors.notOwner();
  if (offer.buyer === caller) throw tradingErrors.ownNft();
  if (nft.listingId || nft.auctionId) throw tradingErrors.nftBusy();
  return { offer, nft };
}

/** A presale as the purchase rules see it: what clients see, plus who is paid and who may buy. */
export type PresaleState = Omit<Presale, 'name' | 'image' | 'status'> & { creator: string; allowlist: string[] | null };

/** A purchase inside the window, on the allowlist if any, within supply and the wallet's limit. */
export function assertCanPurchase<T extends PresaleState>(presale: T | null, buyer: string, quantity: number, alreadyBought: number, now: Date): T {
  if (!presale) throw tradingErrors.presaleNotFound();
  if (windowStatus(presale, now.toISOString()) !== 'live') throw tradingErrors.presaleNotLive();
  if (presale.allowlist && !presale.allowlist.includes(buyer)) throw tradingErrors.notAllowlisted();
  if (alreadyBought + quantity > presale.perWalletLimit) throw tradingErrors.walletLimit(Math.max(0, presale.perWalletLimit - alreadyBought));
  if (presale.sold + quantity > presale.supply) throw tradingErrors.soldOut();
  return presale;
}

/** Presale cost; quantity * price must stay a safe integer. */
export function presaleCost(price: number, quantity: number): number {
  const cost = price * quantity;
  if (!Number.isSafeInteger(cost)) throw new ValidationError('quantity * price is too large');
  return cost;
}

/** Collections and presales are made by users in the Cognito group `creators`. */
export function assertCreator(groups: string[]): void {
  if (!groups.includes('creators')) throw tradingErrors.notCreator();
}
