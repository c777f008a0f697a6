import type { Attribute } from './traits.js';

export type OfferStatus = 'open' | 'accepted' | 'cancelled' | 'expired';

export interface Offer {
  offerId: string;
  buyer: string;
  /** The NFT's owner when the offer was made; null for a collection-wide offer. */
  recipient: string | null;
  nftId: string | null;
  collectionId: string;
  amount: number;
  expiresAt: string;
  status: OfferStatus;
  createdAt: string;
  /** A trait offer: a collection offer only NFTs with this trait may accept (null otherwise). */
  trait: Attribute | null;
}

/** An open offer past its expiry is expired, whether or not a sweep has caught up with it yet. */
export function effectiveOfferStatus(offer: { status: OfferStatus; expiresAt: string }, now: string): OfferStatus {
  return offer.status === 'open' && offer.expiresAt <= now ? 'expired' : offer.status;
}
