import { BatchGetCommand, GetCommand, QueryCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { AuctionState, NftState, OfferState, PresaleState } from '../domain/trading-rules.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import type { Floor } from './trade-writes.js';
import { StaleReadError } from './transactions.js';

/** Strongly consistent reads of what a trade is about to change; its transaction re-checks them. */

type Key = { pk: string; sk: string };

/** One item, read strongly consistent (null when absent). */
export async function readItem(key: Key): Promise<Record<string, unknown> | null> {
  const output = await db.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return output.Item ?? null;
}

export type NftRecord = NftState & { name: string; image: string };

export async function readNft(nftId: string): Promise<NftRecord | null> {
  return toNftRecord(nftId, await readItem(keys.nft(nftId)));
}

function toNftRecord(nftId: string, item: Record<string, unknown> | null): NftRecord | null {
  if (!item) return null;
  return {
    nftId, collectionId: item.collectionId as string, owner: item.owner as string,
    listingId: (item.listingId as string | null) ?? null, auctionId: (item.auctionId as string | null) ?? null,
    name: item.name as string, image: item.image as string,
  };
}

export interface ListingRecord {
  listingId: string;
  nftId: string;
  collectionId: string;
  seller: string;
  price: number;
  status: string;
  listedAt: string;
}

export async function readListing(listingId: string): Promise<ListingRecord | null> {
  const item = await readItem(keys.listing(listingId));
  if (!item) return null;
  return {
    listingId, nftId: item.nftId as string, collectionId: item.collectionId as string, seller: item.seller as string,
    price: item.price as number, status: item.status as string, listedAt: item.listedAt as string,
  };
}

export interface CollectionRecord {
  collectionId: string;
  name: string;
  creator: string;
  royaltyBps: number;
  version: number;
  floor: Floor | null;
}

export async function readCollection(collectionId: string): Promise<CollectionRecord | null> {
  return toCollectionRecord(collectionId, await readItem(keys.collection(collectionId)));
}

function toCollectionRecord(collectionId: string, item: Record<string, unknown> | null): CollectionRecord | null {
  if (!item) return null;
  const floorPrice = (item.floorPrice as number | null) ?? null;
  return {
    collectionId, name: item.name as string, creator: item.creator as string, royaltyBps: (item.royaltyBps as number) ?? 0,
    version: (item.version as number) ?? 0,
    floor: floorPrice === null ? null : { price: floorPrice, listingId: item.floorListingId as string },
  };
}

export interface TradeContext {
  nft: NftRecord | null;
  collection: CollectionRecord | null;
  /** How many NFTs of the collection each user holds (0 when never). */
  holders: Map<string, number>;
}

/** Everything a sale reads besides the thing sold, in one consistent BatchGetItem round trip. */
export async function readTradeContext(nftId: string | null, collectionId: string, holderIds: string[]): Promise<TradeContext> {
  const nftKey = nftId === null ? null : keys.nft(nftId);
  const collectionKey = keys.collection(collectionId);
  const uniqueHolders = [...new Set(holderIds)]; // BatchGetItem refuses a key twice
  const holderKeys = uniqueHolders.map((id) => keys.holder(collectionId, id));
  const output: BatchGetCommandOutput = await db.send(new BatchGetCommand({
    RequestItems: { [tableName()]: { Keys: [...(nftKey ? [nftKey] : []), collectionKey, ...holderKeys], ConsistentRead: true } },
  }));
  if (Object.keys(output.UnprocessedKeys ?? {}).length > 0) throw new StaleReadError();
  const found = new Map((output.Responses?.[tableName()] ?? []).map((item) => [`${item.pk}|${item.sk}`, item]));
  const at = (key: { pk: string; sk: string }) => found.get(`${key.pk}|${key.sk}`) ?? null;
  return {
    nft: nftId !== null && nftKey ? toNftRecord(nftId, at(nftKey)) : null,
    collection: toCollectionRecord(collectionId, at(collectionKey)),
    holders: new Map(uniqueHolders.map((id, i) => [id, (at(holderKeys[i]!)?.count as number | undefined) ?? 0])),
  };
}

/** The cheapest active listing of a collection other than `excludedListingId`, read consistently. */
export async function cheapestListingExcept(collectionId: string, excludedListingId: string): Promise<Floor | null> {
  const output = await db.send(new QueryCommand({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.floorPartition(collectionId) },
    ConsistentRead: true,
    Limit: 2,
  }));
  const next = (output.Items ?? []).find((item) => item.listingId !== excludedListingId);
  return next ? { price: next.price as number, listingId: next.listingId as string } : null;
}

export type OfferRecord = OfferState & { recipient: string | null; createdAt: string };

export async function readOffer(offerId: string): Promise<OfferRecord | null> {
  const item = await readItem(keys.offer(offerId));
  if (!item) return null;
  return {
    offerId, buyer: item.buyer as string, nftId: (item.nftId as string | null) ?? null, collectionId: item.collectionId as string,
    amount: item.amount as number, status: item.status as string, expiresAt: item.expiresAt as string,
    recipient: (item.recipient as string | null) ?? null, createdAt: item.createdAt as string,
  };
}

export type AuctionRecord = AuctionState & { nftId: string; collectionId: string; bidCount: number; name: string; image: string };

export async function readAuction(auctionId: string): Promise<AuctionRecord | null> {
  const item = await readItem(keys.auction(auctionId));
  if (!item) return null;
  return {
    auctionId, nftId: item.nftId as string, collectionId: item.collectionId as string, seller: item.seller as string,
    reservePrice: item.reservePrice as number, highestBid: (item.highestBid as number | null) ?? null,
    highestBidder: (item.highestBidder as string | null) ?? null, minIncrementBps: (item.minIncrementBps as number) ?? 500,
    startsAt: item.startsAt as string, endsAt: item.endsAt as string, settledAt: (item.settledAt as string | null) ?? null,
    bidCount: (item.bidCount as number) ?? 0, name: item.name as string, image: item.image as string,
  };
}

export type PresaleRecord = PresaleState & { name: string; image: string };

export async function readPresale(presaleId: string): Promise<PresaleRecord | null> {
  const item = await readItem(keys.presale(presaleId));
  if (!item) return null;
  return {
    presaleId, collectionId: item.collectionId as string, creator: item.creator as string, price: item.price as number,
    supply: item.supply as number, sold: (item.sold as number) ?? 0, perWalletLimit: item.perWalletLimit as number,
    startsAt: item.startsAt as string, endsAt: item.endsAt as string, allowlist: (item.allowlist as string[] | undefined) ?? null,
    name: item.name as string, image: item.image as string,
  };
}

export async function readWalletPurchases(presaleId: string, userId: string): Promise<number> {
  const item = await readItem(keys.walletPurchases(presaleId, userId));
  return (item?.bought as number) ?? 0;
}
