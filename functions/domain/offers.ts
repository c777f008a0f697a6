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
}

/** An open offer past its expiry is expired, whether or not a sweep has caught up with it yet. */
export function effectiveOfferStatus(offer: { status: OfferStatus; expiresAt: string }, now: string): OfferStatus {
  return offer.status === 'open' && offer.expiresAt <= now ? 'expired' : offer.status;
}
