import { createHash } from 'node:crypto';
import type { Presale } from '../../domain/catalog.js';
import { addDelta, bpsOf, feeDelta } from '../../domain/money.js';
import type { TradingConfig } from '../../domain/trading-config.js';
import { tradingErrors } from '../../domain/trading-errors.js';
import { assertAuctionWindow, assertCanPurchase, presaleCost } from '../../domain/trading-rules.js';
import { tableName } from '../client.js';
import { items } from '../items.js';
import { keys } from '../keys.js';
import { readCollection, readPresale, readTradeContext, readWalletPurchases } from '../trade-reads.js';
import { accountChanges, activity, collectionChange, holderChange } from '../trade-writes.js';
import { transact, withOptimisticRetry, type GuardedWrite } from '../transactions.js';
import { toPresale } from '../window-repository.js';
import { createdBefore } from './created-before.js';

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

/** Minted NFT ids are derived from the purchase, so concurrent purchases never contend for a number. */
function mintedNftId(presaleId: string, purchaseId: string, index: number): string {
  return `${presaleId}-${createHash('sha256').update(purchaseId).digest('hex').slice(0, 12)}-${index + 1}`;
}

/**
 * Mints `quantity` NFTs to the buyer and debits the price, inside the window, within the supply and the
 * wallet's limit. The transaction's conditions bound supply and the wallet's count whatever was read, so
 * racing buyers can never mint past either; a loser reads again and gets SOLD_OUT or WALLET_LIMIT.
 */
export async function purchasePresale(
  buyer: string, presaleId: string, quantity: number, purchaseId: string, requestHash: string | null, now: Date, config: TradingConfig,
): Promise<Purchase> {
  const purchaseKey = { pk: keys.presale(presaleId).pk, sk: `PURCHASE#${purchaseId}` };
  return withOptimisticRetry(async () => {
    const earlier = await createdBefore(purchaseKey, requestHash, toPurchase);
    if (earlier) return earlier;
    const [found, bought] = await Promise.all([readPresale(presaleId), readWalletPurchases(presaleId, buyer)]);
    const presale = assertCanPurchase(found, buyer, quantity, bought, now);
    const cost = presaleCost(presale.price, quantity);
    const { collection, holders } = await readTradeContext(null, presale.collectionId, [buyer]);
    if (!collection) throw tradingErrors.collectionNotFound();
    const at = now.toISOString();
    const fee = bpsOf(cost, config.feeBps);
    const deltas = addDelta(new Map(), buyer, { balance: -cost });
    addDelta(deltas, presale.creator, { balance: cost - fee });
    feeDelta(deltas, fee);
    const nftIds = Array.from({ length: quantity }, (_, i) => mintedNftId(presaleId, purchaseId, i));
    const holder = holderChange(presale.collectionId, buyer, holders.get(buyer)!, quantity);
    const purchase: Purchase = { purchaseId, presaleId, buyer, quantity, cost, nftIds, purchasedAt: at };
    const writes: GuardedWrite[] = [
      {
        item: {
          Update: {
            TableName: tableName(), Key: keys.presale(presaleId),
            UpdateExpression: 'ADD sold :quantity',
            ConditionExpression: 'sold <= :maxSoldBefore',
            ExpressionAttributeValues: { ':quantity': quantity, ':maxSoldBefore': presale.supply - quantity },
          },
        },
        onConditionFailed: 'stale',
      },
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
      ...accountChanges(deltas, 'presale-purchase', purchaseId, at),
      holder.write,
      ...(holder.ownersDelta ? [collectionChange(presale.collectionId, { owners: holder.ownersDelta })] : []),
      ...nftIds.flatMap((nftId) => [
        {
          item: {
            Put: {
              TableName: tableName(),
              Item: items.nft({
                nftId, collectionId: presale.collectionId, name: `${collection.name} #${nftId}`,
                image: `${presale.image}#${nftId}`, owner: buyer, listingId: null, auctionId: null, mintedAt: at,
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
        activity({ kind: 'mint', nftId, collectionId: presale.collectionId, actor: buyer, price: presale.price, reference: purchaseId }, at),
      ]),
    ];
    await transact(writes);
    return purchase;
  });
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
      price: request.price, supply: request.supply, sold: 0, perWalletLimit: request.perWalletLimit,
      startsAt: request.startsAt, endsAt: request.endsAt, ...(request.allowlist ? { allowlist: request.allowlist } : {}),
    };
    await transact([
      { item: { Put: { TableName: tableName(), Item: { ...items.presale(presale), requestHash, createdAt: at }, ConditionExpression: 'attribute_not_exists(pk)' } } },
    ]);
    return toPresale(presale, at);
  });
}
