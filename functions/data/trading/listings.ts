import type { Listing } from '../../domain/market.js';
import { saleDeltas, type SaleSplit } from '../../domain/money.js';
import type { TradingConfig } from '../../domain/trading-config.js';
import { tradingErrors } from '../../domain/trading-errors.js';
import { assertCanSell } from '../../domain/trading-rules.js';
import { tableName } from '../client.js';
import { items } from '../items.js';
import { keys } from '../keys.js';
import { toListing } from '../market-repository.js';
import { cheapestListingExcept, readCollection, readListing, readNft, readTradeContext, type CollectionRecord, type ListingRecord } from '../trade-reads.js';
import {
  accountChanges, activity, closeOpenItem, collectionChange, deletePriceEntry, holderChange, putPriceEntry, type Floor,
} from '../trade-writes.js';
import { transact, withOptimisticRetry, type GuardedWrite } from '../transactions.js';
import { createdBefore } from './created-before.js';
import { releaseNft, reserveNft, transferNft } from './nft-transfer.js';

const listingIndexAttributes = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk'];

/** The floor once `listing` leaves the market: unchanged unless it was the floor. */
async function floorWithout(collection: CollectionRecord, listing: ListingRecord): Promise<Floor | null | undefined> {
  if (collection.floor?.listingId !== listing.listingId) return undefined;
  return cheapestListingExcept(collection.collectionId, listing.listingId);
}

function closeListing(listing: ListingRecord, status: 'sold' | 'cancelled', now: string, extra: Record<string, unknown> = {}): GuardedWrite {
  return closeOpenItem({
    key: keys.listing(listing.listingId), openStatus: 'active', status, now, extra,
    removeAttributes: listingIndexAttributes, onConditionFailed: tradingErrors.listingUnavailable,
  });
}

export async function createListing(
  seller: string, request: { nftId: string; price: number }, listingId: string, requestHash: string | null, now: Date,
): Promise<Listing> {
  return withOptimisticRetry(async () => {
    const earlier = await createdBefore(keys.listing(listingId), requestHash, toListing);
    if (earlier) return earlier;
    const nft = assertCanSell(await readNft(request.nftId), seller);
    const collection = await readCollection(nft.collectionId);
    if (!collection) throw tradingErrors.collectionNotFound();
    const at = now.toISOString();
    const listing: Listing = {
      listingId, nftId: nft.nftId, collectionId: nft.collectionId, seller, price: request.price, listedAt: at,
      name: nft.name, image: nft.image,
    };
    const lowers = collection.floor === null || listing.price < collection.floor.price;
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
      collectionChange(nft.collectionId, {
        listedCount: 1, expectVersion: collection.version,
        ...(lowers ? { floor: { price: listing.price, listingId } } : {}),
      }),
      putPriceEntry(listing),
      activity({ kind: 'listing', nftId: nft.nftId, collectionId: nft.collectionId, actor: seller, price: listing.price, reference: listingId }, at),
    ]);
    return listing;
  });
}

export async function cancelListing(caller: string, listingId: string, now: Date): Promise<{ listingId: string; status: 'cancelled' }> {
  return withOptimisticRetry(async () => {
    const listing = await readListing(listingId);
    if (!listing) throw tradingErrors.listingNotFound();
    if (listing.seller !== caller) throw tradingErrors.notSeller();
    if (listing.status !== 'active') throw tradingErrors.listingUnavailable();
    const collection = await readCollection(listing.collectionId);
    if (!collection) throw tradingErrors.collectionNotFound();
    const at = now.toISOString();
    await transact([
      closeListing(listing, 'cancelled', at),
      releaseNft(listing.nftId, 'listingId', listingId),
      collectionChange(listing.collectionId, { listedCount: -1, floor: await floorWithout(collection, listing), expectVersion: collection.version }),
      deletePriceEntry(listing),
      activity({ kind: 'cancellation', nftId: listing.nftId, collectionId: listing.collectionId, actor: caller, price: listing.price, reference: listingId }, at),
    ]);
    return { listingId, status: 'cancelled' };
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

/**
 * One TransactWriteItems: the listing closes, the NFT moves, the buyer pays, seller, creator and platform
 * are paid, the collection's stats and floor change. Any failed condition cancels all of it.
 */
export async function buyListing(buyer: string, listingId: string, now: Date, config: TradingConfig): Promise<Sale> {
  return withOptimisticRetry(async () => {
    const listing = await readListing(listingId);
    if (!listing) throw tradingErrors.listingNotFound();
    if (listing.status !== 'active') throw tradingErrors.listingUnavailable();
    if (listing.seller === buyer) throw tradingErrors.ownListing();
    const { collection, nft, holders } = await readTradeContext(listing.nftId, listing.collectionId, [listing.seller, buyer]);
    if (!collection || !nft) throw tradingErrors.listingUnavailable();
    const at = now.toISOString();
    const { deltas, split } = saleDeltas({
      price: listing.price, buyer, seller: listing.seller, creator: collection.creator,
      feeBps: config.feeBps, royaltyBps: collection.royaltyBps, paidFrom: 'balance',
    });
    const fromSeller = holderChange(listing.collectionId, listing.seller, holders.get(listing.seller)!, -1);
    const toBuyer = holderChange(listing.collectionId, buyer, holders.get(buyer)!, 1);
    await transact([
      closeListing(listing, 'sold', at, { buyer }),
      transferNft(nft, buyer, { listingId }, tradingErrors.listingUnavailable),
      ...accountChanges(deltas, 'sale', listingId, at),
      fromSeller.write,
      toBuyer.write,
      collectionChange(listing.collectionId, {
        listedCount: -1, volume: listing.price, sales: 1, owners: fromSeller.ownersDelta + toBuyer.ownersDelta,
        floor: await floorWithout(collection, listing), expectVersion: collection.version,
      }),
      deletePriceEntry(listing),
      activity({
        kind: 'sale', nftId: listing.nftId, collectionId: listing.collectionId, actor: buyer, counterparty: listing.seller,
        price: listing.price, reference: listingId,
      }, at),
    ]);
    return {
      listingId, nftId: listing.nftId, collectionId: listing.collectionId, buyer, seller: listing.seller,
      price: listing.price, soldAt: at, ...split,
    };
  });
}
