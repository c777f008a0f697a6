import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Attribute } from '../domain/traits.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import { cachedRead, type Freshness } from './read-cache.js';
import type { Item } from './paged-query.js';

/** One trait value's figures: counted (tokenCount, listedCount) and re-read (floor, topOffer) by the stream aggregator. */
export interface TraitFigures {
  tokenCount: number;
  listedCount: number;
  floorPrice: number | null;
  floorListingId: string | null;
  topOffer: { offerId: string; amount: number } | null;
  /** When the aggregator last counted, read the floor, read the top offer (null: never). */
  statsAsOf: string | null;
  floorAsOf: string | null;
  topOfferAsOf: string | null;
}

export type TraitValue = Attribute & TraitFigures;

export function toTraitValue(item: Item): TraitValue {
  return {
    key: item.traitKey as string,
    value: item.traitValue as string,
    tokenCount: (item.tokenCount as number | undefined) ?? 0,
    listedCount: (item.listedCount as number | undefined) ?? 0,
    floorPrice: (item.floorPrice as number | null | undefined) ?? null,
    floorListingId: (item.floorListingId as string | null | undefined) ?? null,
    topOffer: typeof item.topOfferId === 'string' ? { offerId: item.topOfferId, amount: item.topOfferAmount as number } : null,
    statsAsOf: (item.statsAsOf as string | undefined) ?? null,
    floorAsOf: (item.floorAsOf as string | undefined) ?? null,
    topOfferAsOf: (item.topOfferAsOf as string | undefined) ?? null,
  };
}

/**
 * Every trait value of a collection: one Query of the collection's partition (`begins_with(sk, TRAIT#)`).
 * A trait table holds at most 99 values (a seeded collection about 60), well inside one 1 MB page; a larger
 * one would take a page per MB.
 */
export async function listCollectionTraits(collectionId: string, request: Freshness = {}): Promise<{ asOf: string; traits: TraitValue[] }> {
  return cachedRead(`traits ${collectionId}`, async () => {
    const asOf = new Date().toISOString();
    const traits: TraitValue[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output: QueryCommandOutput = await db.send(new QueryCommand({
        TableName: tableName(), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.collection(collectionId).pk, ':prefix': keys.traitPrefix }, ExclusiveStartKey: start,
      }));
      traits.push(...(output.Items ?? []).map(toTraitValue));
      start = output.LastEvaluatedKey;
    } while (start);
    return { asOf, traits };
  }, request);
}
