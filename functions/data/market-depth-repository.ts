import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { depthLevels, type DepthLevel } from '../domain/order-depth.js';
import { db, tableName } from './client.js';
import { indexPartitions, keys } from './keys.js';
import { cachedRead, type Freshness } from './read-cache.js';

/** The orders one depth answer reads at most: a single Query (price entries and offers are ~100 bytes each). */
export const maxDepthOrders = 1_000;

export interface MarketDepth {
  asOf: string;
  side: 'listings' | 'offers';
  levels: DepthLevel[];
  /** Orders read, at most `maxOrders`. */
  orders: number;
  maxOrders: number;
  maxLevels: number;
  /** false: the book goes on past what is answered (more than `maxOrders` orders, or more than `maxLevels` levels). */
  complete: boolean;
}

/**
 * A collection's order book by price level, best first, in one Query: listings from its price entries
 * (`FLOOR#<collectionId>`, cheapest first), or its open unexpired collection offers from the offer book
 * (highest first). Shared per Lambda environment like the other public reads.
 */
export function marketDepth(
  collectionId: string, side: 'listings' | 'offers', maxLevels: number, request: Freshness = {},
): Promise<MarketDepth> {
  return cachedRead(`depth ${collectionId} ${side} ${maxLevels}`, async () => {
    const asOf = new Date().toISOString();
    const input: QueryCommandInput = side === 'listings'
      ? {
        TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.floorPartition(collectionId) },
        ProjectionExpression: 'price', ScanIndexForward: true, Limit: maxDepthOrders,
      }
      : {
        TableName: tableName(), IndexName: 'gsi3', KeyConditionExpression: 'gsi3pk = :pk',
        FilterExpression: 'expiresAt > :now', ProjectionExpression: 'amount',
        ExpressionAttributeValues: { ':pk': indexPartitions.offerBook({ nftId: null, collectionId }), ':now': asOf },
        ScanIndexForward: true, Limit: maxDepthOrders,
      };
    const output = await db.send(new QueryCommand(input));
    const prices = (output.Items ?? []).map((item) => (side === 'listings' ? item.price : item.amount) as number);
    const { levels, cut } = depthLevels(prices, maxLevels);
    return {
      asOf, side, levels, orders: prices.length, maxOrders: maxDepthOrders, maxLevels,
      complete: !cut && output.LastEvaluatedKey === undefined,
    };
  }, request);
}
