import type { Listing } from '../domain/market.js';
import { saleDeltas, type SaleSplit } from '../domain/money.js';
import type { TradingConfig } from '../domain/trading-config.js';
import { tradingErrors } from '../domain/trading-errors.js';
import { assertCanSell } from '../domain/trading-rules.js';
import { tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { keys } from '../data/keys.js';
import { toListing } from '../data/market-repository.js';
import { readListing, readNft, readTradeContext } from '../data/trade-reads.js';
import { accountChanges, activity, closeOpenItem, deletePriceEntry, putPriceEntry } from '../data/trade-writes.js';
import { transact, withOptimisticRetry, type GuardedWrite } from '../data/transactions.js';
import { createdBefore, orEarlierAttempt } from './created-before.js';
import { releaseNft, reserveNft, transferNft } from '../data/nft-writes.js';
import { withPendingCreditsApplied } from './pending-credits.js';

const listingIndexAttributes = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk'];

function closeListing(listing: Listing, status: 'sold' | 'cancelled', now: string, extra: Record<string, unknown> = {}): GuardedWrite {
  return closeOpenItem({
    key: keys.listing(listing.listingId), openStatus: 'active', status, now, extra,
    removeAttributes: listingIndexAttributes, onConditionFailed: tradingErrors.listingUnavailable,
  });
}

/**
 * Write set: the NFT, the listing, its price entry and an activity; nothing shared with another listing.
 * The collection's listedCount and floor follow from the activity (stream aggregator).
 */
export async function createListing(
  seller: string, request: { nftId: string; price: number }, listingId: string, requestHash: string | null, now: Date,
): Promise<Listing> {
  return orEarlierAttempt(keys.listing(listingId), requestHash, toListing, () => withOptimisticRetry(async () => {
    const earlier = await createdBefore(keys.listing(listingId), requestHash, toListing);
    if (earlier) return earlier;
    const nft = assertCanSell(await readNft(request.nftId), seller);
    const at = now.toISOString();
    const listing: Listing = {
      listingId, nftId: nft.nftId, collectionId: nft.collectionId, seller, price: request.price, listedAt: at,
      name: nft.name, image: nft.image, attributes: nft.attributes,
    };
    await transact([
      reserveNft(nft, 'listingId', listingId),
      {
        item: {
          Put: {
            TableName: tableName(), Item: { ...items.activeListing(listing), requestHash },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
      ...putPriceEntry(listing),
      activity({
        kind: 'listing', nftId: nft.nftId, collectionId: nft.collectionId, actor: seller, price: listing.price, reference: listingId,
        attributes: listing.attributes,
      }, at),
    ]);
    return listing;
  }));
}

/** Write set: the listing, the NFT, the price entry and an activity. */
export async function cancelListing(
  caller: string, listingId: string, now: Date,
): Promise<{ listingId: string; status: 'cancelled'; cancelledAt: string }> {
  return withOptimisticRetry(async () => {
    const listing = await readListing(listingId);
    if (!listing) throw tradingErrors.listingNotFound();
    if (listing.seller !== caller) throw tradingErrors.notSeller();
    if (listing.status !== 'active') throw tradingErrors.listingUnavailable();
    const at = now.toISOString();
    await transact([
      closeListing(listing, 'cancelled', at),
      releaseNft(listing.nftId, 'listingId', listingId),
      ...deletePriceEntry(listing),
      activity({
        kind: 'cancellation', nftId: listing.nftId, collectionId: listing.collectionId, actor: caller, price: listing.price, reference: listingId,
        attributes: listing.attributes,
      }, at),
    ]);
    return { listingId, status: 'cancelled', cancelledAt: at };
  });
}

export interface Sale extends SaleSplit {
  listingId: string;
  nftId: string;
  collectionId: string;
  buyer: string;
  seller: string;
  price: number;
  soldAt: string;
}

/** What a caller composing buys (a sweep) adds to one: a check of the listing as read, and writes of its own. */
export interface BuyExtras {
  /** Runs on the listing as read, before the buy's own checks; throw to refuse it. */
  check?: (listing: Listing & { status: string }) => void;
  /** Written first in the buy's transaction, so their failed conditions are the ones reported. */
  writes?: (listing: Listing, at: string) => GuardedWrite[];
}

/**
 * One TransactWriteItems: the listing closes, the NFT moves, the buyer pays, and seller, creator and
 * platform each get a pending credit. Any failed condition cancels all of it. Two buys of different
 * listings share no item, whoever the seller or creator.
 */
export async function buyListing(
  buyer: string, listingId: string, now: Date, config: TradingConfig, also: BuyExtras = {},
): Promise<Sale> {
  return withPendingCreditsApplied(buyer, now, () => withOptimisticRetry(async () => {
    const listing = await readListing(listingId);
    if (!listing) throw tradingErrors.listingNotFound();
    also.check?.(listing);
    if (listing.status !== 'active') throw tradingErrors.listingUnavailable();
    if (listing.seller === buyer) throw tradingErrors.ownListing();
    const { collection, nft } = await readTradeContext(listing.nftId, listing.collectionId);
    if (!collection || !nft) throw tradingErrors.listingUnavailable();
    const at = now.toISOString();
    const { deltas, split } = saleDeltas({
      price: listing.price, buyer, seller: listing.seller, creator: collection.creator,
      feeBps: config.feeBps, royaltyBps: collection.royaltyBps, paidFrom: 'balance',
    });
    await transact([
      ...(also.writes?.(listing, at) ?? []),
      closeListing(listing, 'sold', at, { buyer }),
      transferNft(nft, buyer, { listingId }, tradingErrors.listingUnavailable),
      ...accountChanges(deltas, 'sale', listingId, at, buyer),
      ...deletePriceEntry(listing),
      activity({
        kind: 'sale', via: 'listing', nftId: listing.nftId, collectionId: listing.collectionId, actor: buyer,
        counterparty: listing.seller, price: listing.price, reference: listingId, attributes: listing.attributes,
      }, at),
    ]);
    return {
      listingId, nftId: listing.nftId, collectionId: listing.collectionId, buyer, seller: listing.seller,
      price: listing.price, soldAt: at, ...split,
    };
  }));
}
