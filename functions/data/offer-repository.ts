import { effectiveOfferStatus, type Offer, type OfferStatus } from '../domain/offers.js';
import type { Attribute } from '../domain/traits.js';
import { indexPartitions } from './keys.js';
import { mapPage, queryNewestAcross, queryPage, type Item, type ItemFilter, type Page, type PageRequest } from './paged-query.js';

/** An offer as stored (its status as written, whatever the time). */
export function toStoredOffer(item: Item): Offer {
  return {
    offerId: item.offerId as string,
    buyer: item.buyer as string,
    recipient: (item.recipient as string | null) ?? null,
    nftId: (item.nftId as string | null) ?? null,
    collectionId: item.collectionId as string,
    amount: item.amount as number,
    expiresAt: item.expiresAt as string,
    status: item.status as OfferStatus,
    createdAt: item.createdAt as string,
    trait: (item.trait as Offer['trait'] | undefined) ?? null,
  };
}

/** An offer as clients see it: an open one past its expiry is expired. */
export function toOffer(item: Item, now: string): Offer {
  const stored = toStoredOffer(item);
  return { ...stored, status: effectiveOfferStatus(stored, now) };
}

/** Stored status plus expiry time together give the status a client sees. */
function statusFilter(status: OfferStatus, now: string): ItemFilter {
  const names = { '#status': 'status' };
  switch (status) {
    case 'open':
      return { expression: '#status = :open AND expiresAt > :now', names, values: { ':open': 'open', ':now': now } };
    case 'expired':
      return {
        expression: '#status = :expired OR (#status = :open AND expiresAt <= :now)',
        names, values: { ':expired': 'expired', ':open': 'open', ':now': now },
      };
    default:
      return { expression: '#status = :status', names, values: { ':status': status } };
  }
}

/** Offers a user made (buyer index), newest first. */
export async function listOffersMade(userId: string, status: OfferStatus | undefined, now: string, page: PageRequest): Promise<Page<Offer>> {
  const result = await queryPage(
    { index: 'gsi1', partition: indexPartitions.offersBy(userId), ...(status ? { filter: statusFilter(status, now), scope: status } : {}), forward: false },
    page,
  );
  return mapPage(result, (item) => toOffer(item, now));
}

/** Collection offers reach holders of at most this many of their collections (the first by collection id). */
const maxHeldCollectionsWithOffers = 100;

/**
 * Offers a user received, newest first: offers on NFTs they own now, those they accepted, and (while open)
 * offers on every collection they hold, except their own.
 */
export async function listOffersReceived(userId: string, status: OfferStatus | undefined, now: string, page: PageRequest): Promise<Page<Offer>> {
  const ownPartition = indexPartitions.offersTo(userId);
  if (status !== undefined && status !== 'open') {
    const result = await queryPage({ index: 'gsi2', partition: ownPartition, filter: statusFilter(status, now), scope: status, forward: false }, page);
    return mapPage(result, (item) => toOffer(item, now));
  }
  const held = await queryPage({ index: 'gsi1', partition: indexPartitions.holdings(userId), forward: true }, { limit: maxHeldCollectionsWithOffers });
  const open = statusFilter('open', now);
  const filter: ItemFilter = status === 'open'
    ? { ...open, expression: `(${open.expression}) AND buyer <> :caller`, values: { ...open.values, ':caller': userId } }
    : { expression: 'buyer <> :caller', names: {}, values: { ':caller': userId } };
  const result = await queryNewestAcross({
    index: 'gsi2',
    partitions: [ownPartition, ...held.items.map((item) => indexPartitions.offersToHolders(item.collectionId as string))],
    filter, scope: `received:${userId}:${status ?? 'any'}`,
  }, page);
  return mapPage(result, (item) => toOffer(item, now));
}

/** Open offers on one NFT, or a collection's collection offers, or its trait offers on one trait: best first (highest amount, then earliest). */
export async function bestOpenOffers(
  target: { nftId: string | null; collectionId: string; trait?: Attribute | null }, now: string, page: PageRequest,
): Promise<Page<Offer>> {
  const result = await queryPage({
    index: 'gsi3', partition: indexPartitions.offerBook(target), forward: true,
    filter: { expression: 'expiresAt > :now AND collectionId = :collectionId', names: {}, values: { ':now': now, ':collectionId': target.collectionId } },
  }, page);
  return mapPage(result, (item) => toOffer(item, now));
}

/** Every open offer on an NFT, expired or not (the aggregator moves them to the NFT's new owner). */
export async function openOffersOnNft(nftId: string): Promise<Offer[]> {
  const offers: Offer[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage({ index: 'gsi3', partition: indexPartitions.nftOfferBook(nftId), forward: true }, { limit: 100, cursor });
    offers.push(...page.items.map(toStoredOffer));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return offers;
}
