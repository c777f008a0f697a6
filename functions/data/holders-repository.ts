import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { distributionOf, holderShare } from '../domain/holder-distribution.js';
import { db, tableName } from './client.js';
import { indexKeysFor, indexPartitions } from './keys.js';
import { cachedRead, type Freshness } from './read-cache.js';

export interface CollectionHolders {
  asOf: string;
  /** Most NFTs first (ties: by user id, descending). */
  holders: Array<{ userId: string; quantity: number; share: number }>;
  distribution: Array<{ tokens: string; holders: number }>;
  /** Users holding at least one. */
  owners: number;
  /** NFTs held in all: every NFT minted. */
  supply: number;
}

/**
 * One Query of the holder index, descending: the distribution item sorts above every count, so it comes
 * first, then the top holders. All of it is the stream aggregator's (trails trades by the stream's lag).
 */
export function collectionHolders(collectionId: string, limit: number, request: Freshness = {}): Promise<CollectionHolders> {
  return cachedRead(`holders ${collectionId} ${limit}`, async () => {
    const asOf = new Date().toISOString();
    const output = await db.send(new QueryCommand({
      TableName: tableName(), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': indexPartitions.holders(collectionId) }, ScanIndexForward: false, Limit: limit + 1,
    }));
    const found = output.Items ?? [];
    const summary = found[0]?.gsi2sk === indexKeysFor.holderDistribution(collectionId).gsi2sk ? found[0] : undefined;
    const supply = (summary?.tokens as number | undefined) ?? 0;
    const distribution = distributionOf(summary);
    return {
      asOf,
      holders: found.filter((item) => item !== summary).slice(0, limit).map((item) => ({
        userId: item.userId as string, quantity: item.count as number, share: holderShare(item.count as number, supply),
      })),
      distribution,
      owners: distribution.reduce((sum, bucket) => sum + bucket.holders, 0),
      supply,
    };
  }, request);
}
