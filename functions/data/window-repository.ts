import type { Auction, Presale } from '../domain/catalog.js';
import { planWindowQuery, windowStatus, type WindowStatus } from '../domain/time-windows.js';
import { maxAuctionOvertimeMinutes, type AuctionState, type PresaleState } from '../domain/trading-rules.js';
import { indexPartitions } from './keys.js';
import type { IndexName } from './table-definition.js';
import { mapPage, queryPage, type Item, type Page, type PageRequest, type QuerySpec } from './paged-query.js';
import { cachedFirstPage, type Freshness } from './read-cache.js';

/** An auction as stored: what trading decides on, and what clients see of it (`toAuction`). */
export type AuctionRecord = AuctionState & { nftId: string; collectionId: string; bidCount: number; name: string; image: string };

export function toAuctionRecord(item: Item): AuctionRecord {
  return {
    auctionId: item.auctionId as string, nftId: item.nftId as string, collectionId: item.collectionId as string,
    seller: item.seller as string, name: item.name as string, image: item.image as string,
    reservePrice: item.reservePrice as number, highestBid: (item.highestBid as number | null) ?? null,
    highestBidder: (item.highestBidder as string | null) ?? null, minIncrementBps: (item.minIncrementBps as number) ?? 500,
    bidCount: (item.bidCount as number) ?? 0, startsAt: item.startsAt as string, endsAt: item.endsAt as string,
    scheduledEndsAt: (item.scheduledEndsAt as string | undefined) ?? (item.endsAt as string),
    settledAt: (item.settledAt as string | null) ?? null, cancelledAt: (item.cancelledAt as string | null) ?? null,
  };
}

export function toAuction(item: Item, now: string): Auction {
  const {
    highestBidder: _bidder, minIncrementBps: _increment, settledAt: _settled, cancelledAt: _cancelled, ...shown
  } = toAuctionRecord(item);
  return { ...shown, status: windowStatus(shown, now) };
}

/** A presale as stored: what purchases decide on, and what clients see of it (`toPresale`). */
export type PresaleRecord = PresaleState & { name: string; image: string; shards: number };

export function toPresaleRecord(item: Item): PresaleRecord {
  return {
    presaleId: item.presaleId as string, collectionId: item.collectionId as string, creator: item.creator as string,
    name: item.name as string, image: item.image as string, price: item.price as number, supply: item.supply as number,
    sold: (item.sold as number) ?? 0, perWalletLimit: item.perWalletLimit as number,
    startsAt: item.startsAt as string, endsAt: item.endsAt as string,
    allowlist: (item.allowlist as string[] | undefined) ?? null, shards: (item.shards as number) ?? 1,
  };
}

export function toPresale(item: Item, now: string): Presale {
  const { creator: _creator, allowlist: _allowlist, shards: _shards, ...shown } = toPresaleRecord(item);
  return { ...shown, status: windowStatus(shown, now) };
}

/**
 * Auctions and presales each sit in two index orderings, by end and by startsAt (auctions also per
 * collection). A status is a key range on one of them.
 *
 * An auction's end key is its scheduled end, which never moves, so a cursor never meets an auction twice;
 * its `endsAt` may run up to `overtimeMs` past it (anti-sniping). So a live auction's key lies after
 * now - overtime, and whether it is live or ended is decided on `endsAt` by a filter.
 */
function windowQuerySpec(
  status: WindowStatus, now: string, partition: string, indexes: { endsAt: IndexName; startsAt: IndexName }, overtimeMs = 0,
): QuerySpec {
  const plan = planWindowQuery(status);
  const byEnd = plan.orderBy === 'endsAt' && overtimeMs > 0;
  const from = byEnd ? new Date(Date.parse(now) - overtimeMs).toISOString() : now;
  const conditions = [
    ...(plan.mustHaveStarted ? ['startsAt <= :now'] : []),
    ...(byEnd ? [plan.after ? 'endsAt > :now' : 'endsAt <= :now'] : []),
  ];
  return {
    index: indexes[plan.orderBy],
    partition,
    range: plan.after ? { op: '>', value: from } : { op: '<=', value: `${now}#~` },
    ...(conditions.length > 0
      ? { filter: { expression: conditions.join(' AND '), names: {}, values: { ':now': now } } }
      : {}),
    forward: plan.ascending,
  };
}

const auctionOvertimeMs = maxAuctionOvertimeMinutes * 60_000;

/** Statuses are computed at `now`, just before the page is read: it is the page's asOf. */
async function windowPage<T>(spec: QuerySpec, page: PageRequest, now: string, map: (item: Item, now: string) => T): Promise<Page<T>> {
  return { ...mapPage(await queryPage(spec, page), (item) => map(item, now)), asOf: now };
}

export async function listAuctions(
  status: WindowStatus, collectionId: string | undefined, now: string, page: PageRequest & Freshness,
): Promise<Page<Auction>> {
  const spec = collectionId
    ? windowQuerySpec(status, now, indexPartitions.auctions(collectionId), { endsAt: 'gsi3', startsAt: 'gsi4' }, auctionOvertimeMs)
    : windowQuerySpec(status, now, indexPartitions.auctions(null), { endsAt: 'gsi1', startsAt: 'gsi2' }, auctionOvertimeMs);
  return cachedFirstPage(`auctions ${status} ${collectionId ?? '*'} ${page.limit}`, page, () => windowPage(spec, page, now, toAuction));
}

export async function listPresales(status: WindowStatus, now: string, page: PageRequest & Freshness): Promise<Page<Presale>> {
  const spec = windowQuerySpec(status, now, indexPartitions.presales, { endsAt: 'gsi1', startsAt: 'gsi2' });
  return cachedFirstPage(`presales ${status} ${page.limit}`, page, () => windowPage(spec, page, now, toPresale));
}
