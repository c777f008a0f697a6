import type { Auction, Presale } from '../domain/catalog.js';
import { planWindowQuery, windowStatus, type WindowStatus } from '../domain/time-windows.js';
import type { IndexName } from './table-definition.js';
import { queryPage, type Item, type Page, type PageRequest, type QuerySpec } from './paged-query.js';
import { cachedFirstPage } from './read-cache.js';

export function toAuction(item: Item, now: string): Auction {
  const startsAt = item.startsAt as string;
  const endsAt = item.endsAt as string;
  return {
    auctionId: item.auctionId as string,
    nftId: item.nftId as string,
    collectionId: item.collectionId as string,
    seller: item.seller as string,
    name: item.name as string,
    image: item.image as string,
    reservePrice: item.reservePrice as number,
    highestBid: (item.highestBid as number | null) ?? null,
    bidCount: (item.bidCount as number) ?? 0,
    startsAt,
    endsAt,
    status: windowStatus({ startsAt, endsAt }, now),
  };
}

export function toPresale(item: Item, now: string): Presale {
  const startsAt = item.startsAt as string;
  const endsAt = item.endsAt as string;
  return {
    presaleId: item.presaleId as string,
    collectionId: item.collectionId as string,
    name: item.name as string,
    image: item.image as string,
    price: item.price as number,
    supply: item.supply as number,
    sold: (item.sold as number) ?? 0,
    perWalletLimit: item.perWalletLimit as number,
    startsAt,
    endsAt,
    status: windowStatus({ startsAt, endsAt }, now),
  };
}

/**
 * Auctions and presales each sit in two index orderings, by endsAt and by startsAt
 * (auctions also per collection). A status is a key range on one of them.
 */
function windowQuerySpec(
  status: WindowStatus, now: string, partition: string, indexes: { endsAt: IndexName; startsAt: IndexName },
): QuerySpec {
  const plan = planWindowQuery(status);
  return {
    index: indexes[plan.orderBy],
    partition,
    range: plan.after ? { op: '>', value: now } : { op: '<=', value: `${now}#~` },
    ...(plan.mustHaveStarted
      ? { filter: { expression: 'startsAt <= :now', names: {}, values: { ':now': now } } }
      : {}),
    forward: plan.ascending,
  };
}

export async function listAuctions(
  status: WindowStatus, collectionId: string | undefined, now: string, page: PageRequest,
): Promise<Page<Auction>> {
  const spec = collectionId
    ? windowQuerySpec(status, now, `AUCTIONS#${collectionId}`, { endsAt: 'gsi3', startsAt: 'gsi4' })
    : windowQuerySpec(status, now, 'AUCTIONS', { endsAt: 'gsi1', startsAt: 'gsi2' });
  const read = async () => {
    const result = await queryPage(spec, page);
    return { items: result.items.map((item) => toAuction(item, now)), nextCursor: result.nextCursor };
  };
  return cachedFirstPage(`auctions ${status} ${collectionId ?? '*'} ${page.limit}`, page, read);
}

export async function listPresales(status: WindowStatus, now: string, page: PageRequest): Promise<Page<Presale>> {
  const read = async () => {
    const result = await queryPage(windowQuerySpec(status, now, 'PRESALES', { endsAt: 'gsi1', startsAt: 'gsi2' }), page);
    return { items: result.items.map((item) => toPresale(item, now)), nextCursor: result.nextCursor };
  };
  return cachedFirstPage(`presales ${status} ${page.limit}`, page, read);
}
