import { indexPartitions, keys } from './keys.js';
import { mapPage, queryPage, type Item, type Page, type PageRequest, type QuerySpec } from './paged-query.js';

export interface Activity {
  activityId: string;
  kind: string;
  nftId: string | null;
  collectionId: string;
  actor: string;
  counterparty: string | null;
  price: number | null;
  reference: string;
  at: string;
}

export function toActivity(item: Item): Activity {
  return {
    activityId: item.activityId as string, kind: item.kind as string, nftId: (item.nftId as string | null) ?? null,
    collectionId: item.collectionId as string, actor: item.actor as string,
    counterparty: (item.counterparty as string | null) ?? null, price: (item.price as number | null) ?? null,
    reference: item.reference as string, at: item.at as string,
  };
}

/** One NFT's history lives in its own partition; a collection's and the market's in gsi1 and gsi2. */
export async function listActivity(filter: { collectionId?: string | undefined; nftId?: string | undefined }, page: PageRequest): Promise<Page<Activity>> {
  let spec: QuerySpec;
  if (filter.nftId) {
    spec = {
      partition: keys.nft(filter.nftId).pk, range: { op: 'begins_with', value: keys.activityPrefix }, forward: false,
      ...(filter.collectionId
        ? { filter: { expression: 'collectionId = :collectionId', names: {}, values: { ':collectionId': filter.collectionId } } }
        : {}),
    };
  } else if (filter.collectionId) {
    spec = { index: 'gsi1', partition: indexPartitions.activity(filter.collectionId), forward: false };
  } else {
    spec = { index: 'gsi2', partition: indexPartitions.activity(null), forward: false };
  }
  const result = await queryPage(spec, page);
  return mapPage(result, toActivity);
}
