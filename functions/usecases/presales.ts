import { createHash } from 'node:crypto';
import type { Presale } from '../domain/catalog.js';
import { addDelta, bpsOf, feeDelta } from '../domain/money.js';
import type { TradingConfig } from '../domain/trading-config.js';
import { tradingErrors } from '../domain/trading-errors.js';
import { assertAuctionWindow, assertCanPurchase, presaleCost } from '../domain/trading-rules.js';
import { tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { keys } from '../data/keys.js';
import { readCollection, readPresaleForPurchase } from '../data/trade-reads.js';
import { accountChanges, activity } from '../data/trade-writes.js';
import { assignAttributes } from '../domain/traits.js';
import { pickShards, presaleShardCount, shardSupply, type ShardState } from '../domain/presale-shards.js';
import { transact, withOptimisticRetry, type GuardedWrite } from '../data/transactions.js';
import { toPresale } from '../data/window-repository.js';
import { createdBefore, orEarlierAttempt } from './created-before.js';
import { withPendingCreditsApplied } from './pending-credits.js';

export interface Purchase {
  purchaseId: string;
  presaleId: string;
  buyer: string;
  quantity: number;
  cost: number;
  nftIds: string[];
  purchasedAt: string;
}

function toPurchase(item: Record<string, unknown>): Purchase {
  return {
    purchaseId: item.purchaseId as string, presaleId: item.presaleId as string, buyer: item.buyer as string,
    quantity: item.quantity as number, cost: item.cost as number, nftIds: item.nftIds as string[], purchasedAt: item.purchasedAt as string,
  };
}

/** Shards a purchase reads first (a drop's 50 would cost 50 consistent reads per purchase). */
const shardSample = 8;

const unsold = (shards: ShardState[]) => shards.reduce((sum, s) => sum + s.supply - s.sold, 0);

/** Minted NFT ids are derived from the purchase, so concurrent purchases never contend for a number. */
function mintedNftId(presaleId: string, purchaseId: string, index: number): string {
  return `${presaleId}-${createHash('sha256').update(purchaseId).digest('hex').slice(0, 12)}-${index + 1}`;
}

/**
 * Mints `quantity` NFTs to the buyer and debits the price, inside the window, within the supply and the
 * wallet's limit. Supply is taken from one random shard counter (or several, for the last units), each
 * conditioned on its own supply, so racing buyers can never mint past it and a drop's purchases spread over
 * many items; the buyer's wallet count bounds the wallet. Creator and fee are paid by pending credits.
 * Write set: shard(s), the buyer's wallet, purchase record and account, two credits, the NFTs and activities.
 *
 * Each attempt reads the clock afresh (`clock`), after its reads: an attempt that lost a race and runs again
 * after the end is refused. (The window is not restated in the write, as a bid's is: a presale's window never
 * moves, so that condition would compare the attempt's time with the end this attempt has just checked it
 * against; and the one item that holds the window, the presale's, would make every purchase of a drop conflict.)
 */
export async function purchasePresale(
  buyer: string, presaleId: string, quantity: number, purchaseId: string, requestHash: string | null, clock: () => Date, config: TradingConfig,
): Promise<Purchase> {
  const purchaseKey = keys.purchase(buyer, purchaseId);
  // A burst of buyers meets on the last shards with supply left: each lost race re-reads and picks again.
  return orEarlierAttempt(purchaseKey, requestHash, toPurchase, () => withPendingCreditsApplied(buyer, clock(), () => withOptimisticRetry(async () => {
    const earlier = await createdBefore(purchaseKey, requestHash, toPurchase);
    if (earlier) return earlier;
    // A sample of the shards usually can fill the purchase; only near the end are all of them read.
    let read = await readPresaleForPurchase(presaleId, buyer, shardSample);
    if (unsold(read.shards) < quantity && read.shards.length > 0) read = await readPresaleForPurchase(presaleId, buyer, null);
    const { bought, collectionName, traitTable } = read;
    const now = clock();
    // The presale's own `sold` trails by the stream's lag; the shards say what is left.
    const presale = assertCanPurchase(read.presale && { ...read.presale, sold: read.presale.supply - unsold(read.shards) }, buyer, quantity, bought, now);
    const takes = pickShards(read.shards, quantity);
    const cost = presaleCost(presale.price, quantity);
    const at = now.toISOString();
    const fee = bpsOf(cost, config.feeBps);
    const deltas = addDelta(new Map(), buyer, { balance: -cost });
    addDelta(deltas, presale.creator, { balance: cost - fee });
    feeDelta(deltas, fee);
    const nftIds = Array.from({ length: quantity }, (_, i) => mintedNftId(presaleId, purchaseId, i));
    const purchase: Purchase = { purchaseId, presaleId, buyer, quantity, cost, nftIds, purchasedAt: at };
    const writes: GuardedWrite[] = [
      ...takes.map((take): GuardedWrite => ({
        item: {
          Update: {
            TableName: tableName(), Key: keys.presaleShard(presaleId, take.shard),
            UpdateExpression: 'ADD sold :quantity',
            ConditionExpression: 'sold <= :maxSoldBefore',
            ExpressionAttributeValues: { ':quantity': take.quantity, ':maxSoldBefore': take.maxSoldBefore },
          },
        },
        onConditionFailed: 'stale',
      })),
      {
        item: {
          Update: {
            TableName: tableName(), Key: keys.walletPurchases(presaleId, buyer),
            UpdateExpression: 'SET entity = :entity ADD bought :quantity',
            ConditionExpression: 'attribute_not_exists(bought) OR bought <= :maxBoughtBefore',
            ExpressionAttributeValues: { ':entity': 'wallet-purchases', ':quantity': quantity, ':maxBoughtBefore': presale.perWalletLimit - quantity },
          },
        },
        onConditionFailed: 'stale',
      },
      {
        item: {
          Put: {
            TableName: tableName(), Item: { ...purchaseKey, entity: 'purchase', ...purchase, requestHash },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
      ...accountChanges(deltas, 'presale-purchase', purchaseId, at, buyer),
      ...nftIds.map((nftId) => ({ nftId, attributes: assignAttributes(traitTable, nftId) })).flatMap(({ nftId, attributes }) => [
        {
          item: {
            Put: {
              TableName: tableName(),
              Item: items.nft({
                nftId, collectionId: presale.collectionId, name: `${collectionName} #${nftId}`,
                image: `${presale.image}#${nftId}`, owner: buyer, listingId: null, auctionId: null, mintedAt: at, attributes,
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
        activity({ kind: 'mint', nftId, collectionId: presale.collectionId, actor: buyer, price: presale.price, presaleId, reference: purchaseId, attributes }, at),
      ]),
    ];
    await transact(writes);
    return purchase;
  }, 12)));
}

export async function createPresale(
  creator: string,
  request: { collectionId: string; price: number; supply: number; perWalletLimit: number; startsAt: string; endsAt: string; allowlist?: string[] | undefined },
  presaleId: string, requestHash: string | null, now: Date,
): Promise<Presale> {
  return withOptimisticRetry(async () => {
    const at = now.toISOString();
    const earlier = await createdBefore(keys.presale(presaleId), requestHash, (item) => toPresale(item, at));
    if (earlier) return earlier;
    const collection = await readCollection(request.collectionId);
    if (!collection) throw tradingErrors.collectionNotFound();
    if (collection.creator !== creator) throw tradingErrors.notCollectionCreator();
    assertAuctionWindow(request.startsAt, request.endsAt, now);
    const presale = {
      presaleId, collectionId: request.collectionId, creator, name: `${collection.name} presale`, image: `https://images.example.com/presales/${presaleId}.png`,
      price: request.price, supply: request.supply, sold: 0, perWalletLimit: request.perWalletLimit, shards: presaleShardCount(request.supply, request.perWalletLimit),
      startsAt: request.startsAt, endsAt: request.endsAt, ...(request.allowlist ? { allowlist: request.allowlist } : {}),
    };
    await transact([
      {
        item: {
          Put: {
            TableName: tableName(), Item: { ...items.presale(presale), requestHash, createdAt: at },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
      ...Array.from({ length: presale.shards }, (_, shard) => ({
        item: { Put: { TableName: tableName(), Item: items.presaleShard({ presaleId, shard, supply: shardSupply(presale.supply, presale.shards, shard), sold: 0 }) } },
      })),
    ]);
    return toPresale(presale, at);
  });
}
