import type { WindowStatus } from './time-windows.js';
import type { Attribute } from './traits.js';

export interface OwnedNft {
  nftId: string;
  collectionId: string;
  name: string;
  image: string;
  listingId: string | null;
  auctionId: string | null;
  attributes: Attribute[];
}

export interface Auction {
  auctionId: string;
  nftId: string;
  collectionId: string;
  seller: string;
  name: string;
  image: string;
  reservePrice: number;
  highestBid: number | null;
  bidCount: number;
  startsAt: string;
  /** The end, moved later by anti-sniping. */
  endsAt: string;
  /** The end set at creation, which lists are ordered by. */
  scheduledEndsAt: string;
  status: WindowStatus;
}

export interface Presale {
  presaleId: string;
  collectionId: string;
  name: string;
  image: string;
  price: number;
  supply: number;
  sold: number;
  perWalletLimit: number;
  startsAt: string;
  endsAt: string;
  status: WindowStatus;
}
