import { BatchGetCommand, GetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { NftState } from '../domain/trading-rules.js';
import type { Offer } from '../domain/offers.js';
import { toStoredOffer } from './offer-repository.js';
import { toAuctionRecord, toPresaleRecord, type AuctionRecord, type PresaleRecord } from './window-repository.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import type { Collection, Listing } from '../domain/market.js';
import type { ShardState } from '../domain/presale-shards.js';
import type { Attribute, TraitTable } from '../domain/traits.js';
import { toCollection, toListing } from './market-repository.js';
import { toOwnedNft } from './nft-repository.js';
import { StaleReadError } from './transactions.js';

/** Strongly consistent reads of what a trade is about to change; its transaction re-checks them. */

type Key = { pk: string; sk: string };

/** One item, read strongly consistent (null when absent). */
export async function readItem(key: Key): Promise<Record<string, unknown> | null> {
  const output = await db.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return output.Item ?? null;
}

export type NftRecord = NftState & { name: string; image: string; attributes: Attribute[] };

export async function readNft(nftId: string): Promise<NftRecord | null> {
  return toNftRecord(await readItem(keys.nft(nftId)));
}

function toNftRecord(item: Record<string, unknown> | null): NftRecord | null {
  return item ? { ...toOwnedNft(item), owner: item.owner as string } : null;
}

/** A listing as trading sees it: what clients see, and whether it is still on the market. */
export async function readListing(listingId: string): Promise<(Listing & { status: string }) | null> {
  const item = await readItem(keys.listing(listingId));
  return item ? { ...toListing(item), status: item.status as string } : null;
}

export async function readCollection(collectionId: string): Promise<Collection | null> {
  const item = await readItem(keys.collection(collectionId));
  return item ? toCollection(item) : null;
}

export interface TradeContext {
  nft: NftRecord | null;
  collection: Collection | null;
}

/** What a sale reads besides the thing sold (who is paid a royalty, and the NFT), in one BatchGetItem. */
export async function readTradeContext(nftId: string, collectionId: string): Promise<TradeContext> {
  const nftKey = keys.nft(nftId);
  const collectionKey = keys.collection(collectionId);
  const found = await readItems([nftKey, collectionKey]);
  const nft = found.get(itemKey(nftKey)) ?? null;
  const collection = found.get(itemKey(collectionKey));
  return { nft: toNftRecord(nft), collection: collection ? toCollection(collection) : null };
}

const itemKey = (key: Key) => `${key.pk}|${key.sk}`;

/** Up to 100 distinct items, read consistently in one BatchGetItem, by `pk|sk`. */
export async function readItems(itemKeys: Key[]): Promise<Map<string, Record<string, unknown>>> {
  if (itemKeys.length === 0) return new Map();
  const output: BatchGetCommandOutput = await db.send(new BatchGetCommand({
    RequestItems: { [tableName()]: { Keys: itemKeys, ConsistentRead: true } },
  }));
  if (Object.keys(output.UnprocessedKeys ?? {}).length > 0) throw new StaleReadError();
  return new Map((output.Responses?.[tableName()] ?? []).map((item) => [itemKey(item as Key), item]));
}

export async function readOffer(offerId: string): Promise<Offer | null> {
  const item = await readItem(keys.offer(offerId));
  return item ? toStoredOffer(item) : null;
}

export async function readAuction(auctionId: string): Promise<AuctionRecord | null> {
  const item = await readItem(keys.auction(auctionId));
  return item ? toAuctionRecord(item) : null;
}

/**
 * The presale, shard counters (all, or a random sample of `sample` of them) and collection, read
 * consistently, and what the buyer bought of it so far. Sampling keeps a drop's reads per purchase small.
 */
export async function readPresaleForPurchase(presaleId: string, buyer: string, sample: number | null): Promise<{
  presale: PresaleRecord | null; shards: ShardState[]; bought: number; collectionName: string; traitTable: TraitTable | null;
}> {
  const item = await readItem(keys.presale(presaleId));
  if (!item) return { presale: null, shards: [], bought: 0, collectionName: '', traitTable: null };
  const stored = toPresaleRecord(item);
  // The presale's own `sold` only trails the shards: once it reaches the supply, there is nothing to read.
  const shardNumbers = stored.sold >= stored.supply ? [] : sampleOf(stored.shards, sample);
  const shardKeys = shardNumbers.map((shard) => keys.presaleShard(presaleId, shard));
  const walletKey = keys.walletPurchases(presaleId, buyer);
  const collectionKey = keys.collection(stored.collectionId);
  const found = await readItems([...shardKeys, walletKey, collectionKey]);
  const shards = shardKeys.map((key, i) => {
    const s = found.get(itemKey(key));
    return { shard: shardNumbers[i]!, supply: (s?.supply as number) ?? 0, sold: (s?.sold as number) ?? 0 };
  });
  return {
    presale: stored, shards, bought: (found.get(itemKey(walletKey))?.bought as number) ?? 0,
    collectionName: (found.get(itemKey(collectionKey))?.name as string | undefined) ?? stored.name,
    traitTable: (found.get(itemKey(collectionKey))?.traitTable as TraitTable | undefined) ?? null,
  };
}

/** `count` distinct shard numbers below `total`, at random (all of them when `count` is null or not smaller). */
function sampleOf(total: number, count: number | null): number[] {
  const all = Array.from({ length: total }, (_, i) => i);
  if (count === null || count >= total) return all;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (total - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, count);
}
