import { kindsOf, publicTypeOf, type PublicActivityType } from '../domain/activity-types.js';
import { indexPartitions, keys } from './keys.js';
import { mapPage, queryNewestAcross, queryPage, type Item, type ItemFilter, type Page, type PageRequest, type QuerySpec } from './paged-query.js';

export interface Activity {
  activityId: string;
  kind: string;
  /** The public type of its kind (functions/domain/activity-types.ts). */
  type: PublicActivityType;
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
    activityId: item.activityId as string, kind: item.kind as string, type: publicTypeOf(item.kind as string),
    nftId: (item.nftId as string | null) ?? null,
    collectionId: item.collectionId as string, actor: item.actor as string,
    counterparty: (item.counterparty as string | null) ?? null, price: (item.price as number | null) ?? null,
    reference: item.reference as string, at: item.at as string,
  };
}

/** `kind IN (...)`: the stored kinds of the chosen types. */
function kindFilter(types: readonly PublicActivityType[]): ItemFilter {
  const kinds = kindsOf(types);
  const names = kinds.map((_, i) => `:kind${i}`);
  return {
    expression: `#kind IN (${names.join(', ')})`, names: { '#kind': 'kind' },
    values: Object.fromEntries(kinds.map((kind, i) => [names[i], kind])),
  };
}

const nothing = (): Page<Activity> => ({ items: [], nextCursor: null, asOf: new Date().toISOString() });

/**
 * One NFT's history lives in its own partition (few items: a `types` filter is a filter there); a collection's
 * and the market's in gsi1 and gsi2, and per public type in gsi3 and gsi4: a filter on types reads each chosen
 * type's partition in parallel (one round trip) and merges them newest first.
 *
 * `types`: null for every type (functions/domain/activity-types.ts, typeSelection).
 */
export async function listActivity(
  filter: { collectionId?: string | undefined; nftId?: string | undefined; types: readonly PublicActivityType[] | null },
  page: PageRequest,
): Promise<Page<Activity>> {
  const { types } = filter;
  if (types !== null && types.length === 0) return nothing();
  if (filter.nftId) {
    const filters = [
      ...(filter.collectionId ? [{ expression: 'collectionId = :collectionId', names: {}, values: { ':collectionId': filter.collectionId } }] : []),
      ...(types ? [kindFilter(types)] : []),
    ];
    const spec: QuerySpec = {
      partition: keys.nft(filter.nftId).pk, range: { op: 'begins_with', value: keys.activityPrefix }, forward: false,
      ...(filters.length > 0 ? { filter: combined(filters) } : {}),
      ...(types ? { scope: types.join(',') } : {}),
    };
    return mapPage(await queryPage(spec, page), toActivity);
  }
  const collectionId = filter.collectionId ?? null;
  if (types) {
    const result = await queryNewestAcross({
      index: collectionId === null ? 'gsi4' : 'gsi3',
      partitions: types.map((type) => indexPartitions.activityOfType(type, collectionId)),
      scope: `activity:${collectionId ?? '*'}:${types.join(',')}`,
    }, page);
    return mapPage(result, toActivity);
  }
  const spec: QuerySpec = collectionId === null
    ? { index: 'gsi2', partition: indexPartitions.activity(null), forward: false }
    : { index: 'gsi1', partition: indexPartitions.activity(collectionId), forward: false };
  return mapPage(await queryPage(spec, page), toActivity);
}

function combined(filters: ItemFilter[]): ItemFilter {
  if (filters.length === 1) return filters[0]!;
  return {
    expression: filters.map((f) => `(${f.expression})`).join(' AND '),
    names: Object.assign({}, ...filters.map((f) => f.names)),
    values: Object.assign({}, ...filters.map((f) => f.values)),
  };
}
