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

export interface AuctionState {
  auctionId: string;
  seller: string;
  reservePrice: number;
  highestBid: number | null;
  highestBidder: string | null;
  minIncrementBps: number;
  startsAt: string;
  endsAt: string;
  settledAt: string | null;
}

/** The least the next bid may be: the reserve, then the highest bid plus the minimum increment (at least 1). */
export function minimumNextBid(auction: Pick<AuctionState, 'reservePrice' | 'highestBid' | 'minIncrementBps'>): number {
  if (auction.highestBid === null) return auction.reservePrice;
  return auction.highestBid + Math.max(1, bpsOf(auction.highestBid, auction.minIncrementBps));
}

/** A bid's effect: the new end time (anti-sniping) once the bid is accepted. */
export function acceptBid(auction: AuctionState, bidder: string, amount: number, now: Date, antiSnipingSeconds: number): { endsAt: string } {
  if (auction.settledAt || windowStatus(auction, now.toISOString()) !== 'live') throw tradingErrors.auctionNotLive();
  if (bidder === auction.seller) throw tradingErrors.ownAuction();
  if (bidder === auction.highestBidder) throw tradingErrors.alreadyHighestBidder();
  const minimum = minimumNextBid(auction);
  if (amount < minimum) throw tradingErrors.bidTooLow(minimum);
  const extendedEnd = new Date(now.getTime() + antiSnipingSeconds * 1000).toISOString();
  return { endsAt: extendedEnd > auction.endsAt ? extendedEnd : auction.endsAt };
}

export function assertCanSettle<T extends AuctionState>(auction: T | null, now: Date): T {
  if (!auction) throw tradingErrors.auctionNotFound();
  if (auction.settledAt) throw tradingErrors.auctionSettled();
  if (now.toISOString() < auction.endsAt) throw tradingErrors.auctionNotEnded();
  return auction;
}

export function assertAuctionWindow(startsAt: string, endsAt: string, now: Date): void {
  if (endsAt <= startsAt) throw new ValidationError('endsAt must be after startsAt', [{ path: 'endsAt', message: 'must be after startsAt' }]);
  if (endsAt <= now.toISOString()) throw new ValidationError('endsAt must be in the future', [{ path: 'endsAt', message: 'must be in the future' }]);
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
