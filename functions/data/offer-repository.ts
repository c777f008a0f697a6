import { effectiveOfferStatus, type Offer, type OfferStatus } from '../domain/offers.js';
import { indexPartitions } from './keys.js';
import { mapPage, queryPage, type Item, type ItemFilter, type Page, type PageRequest } from './paged-query.js';

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

/** Offers a user made (buyer index) or received (recipient index), newest first. */
export async function listOffers(
  userId: string, role: 'made' | 'received', status: OfferStatus | undefined, now: string, page: PageRequest,
): Promise<Page<Offer>> {
  const result = await queryPage(
    {
      index: role === 'made' ? 'gsi1' : 'gsi2',
      partition: role === 'made' ? indexPartitions.offersBy(userId) : indexPartitions.offersTo(userId),
      ...(status ? { filter: statusFilter(status, now), scope: status } : {}),
      forward: false,
    },
    page,
  );
  return mapPage(result, (item) => toOffer(item, now));
}
