import { addDelta, saleDeltas, type AccountDeltas } from '../domain/money.js';
import type { Offer } from '../domain/offers.js';
import type { TradingConfig } from '../domain/trading-config.js';
import { ValidationError } from '../domain/errors.js';
import { tradingErrors } from '../domain/trading-errors.js';
import { assertCanAccept, assertOfferExpiry } from '../domain/trading-rules.js';
import { tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { indexKeysFor, indexPartitions, keys } from '../data/keys.js';
import { toOffer, toStoredOffer } from '../data/offer-repository.js';
import { readCollection, readItem, readItems, readNft, readOffer, readTradeContext } from '../data/trade-reads.js';
import { hasTrait, type Attribute } from '../domain/traits.js';
import { accountChanges, activity, closeOpenItem } from '../data/trade-writes.js';
import { transact, withOptimisticRetry, type GuardedWrite } from '../data/transactions.js';
import { createdBefore } from './created-before.js';
import { workThroughDue, type DueRunOptions } from './due-work.js';
import { withPendingCreditsApplied } from './pending-credits.js';
import { transferNft } from '../data/nft-writes.js';

/** Closes an open offer: its status changes and it leaves the open-offers index, if it is still open. */
function closeOffer(offer: Offer, status: 'accepted' | 'cancelled' | 'expired', now: string, extra: Record<string, unknown> = {}): GuardedWrite {
  // Only an unexpired offer can be accepted; only an expired one can be swept.
  const expiry = status === 'expired' ? 'expiresAt <= :now' : status === 'accepted' ? 'expiresAt > :now' : null;
  // A collection offer stays received by the holders only while open; accepted, it moves to the seller.
  const leavesHolders = offer.nftId === null && status !== 'accepted' ? ['gsi2pk', 'gsi2sk'] : [];
  return closeOpenItem({
    key: keys.offer(offer.offerId), openStatus: 'open', status, now, extra,
    removeAttributes: [...leavesHolders, 'gsi3pk', 'gsi3sk', 'gsi5pk', 'gsi5sk'],
    ...(expiry ? { condition: { expression: expiry, values: {} } } : {}),
    onConditionFailed: tradingErrors.offerNotOpen,
  });
}

type OfferRequest = { nftId?: string | undefined; collectionId?: string | undefined; trait?: Attribute | undefined; amount: number; expiresAt: string };

/** An offer holds its amount: balance moves to held, in the transaction that records the offer. */
export async function createOffer(
  buyer: string,
  request: OfferRequest, offerId: string, requestHash: string | null, now: Date, config: TradingConfig,
): Promise<Offer> {
  return withPendingCreditsApplied(buyer, now, () => withOptimisticRetry(() => createOfferOnce(buyer, request, offerId, requestHash, now, config)));
}

async function createOfferOnce(
  buyer: string,
  request: OfferRequest, offerId: string, requestHash: string | null, now: Date, config: TradingConfig,
): Promise<Offer> {
  const at = now.toISOString();
  const earlier = await createdBefore(keys.offer(offerId), requestHash, (item) => toOffer(item, at));
  if (earlier) return earlier;
  assertOfferExpiry(request.expiresAt, now, config.maxOfferDays);
  let collectionId: string;
  let recipient: string | null = null;
  if (request.nftId) {
    const nft = await readNft(request.nftId);
    if (!nft) throw tradingErrors.nftNotFound();
    if (nft.owner === buyer) throw tradingErrors.ownNft();
    collectionId = nft.collectionId;
    recipient = nft.owner;
  } else {
    collectionId = await offerableCollection(request.collectionId!, request.trait);
  }
  const offer: Offer = {
    offerId, buyer, recipient, nftId: request.nftId ?? null, collectionId, amount: request.amount,
    expiresAt: request.expiresAt, status: 'open', createdAt: at, trait: request.trait ?? null,
  };
  await transact([
    ...accountChanges(new Map([[buyer, { balance: -offer.amount, held: offer.amount }]]), 'offer-hold', offerId, at, buyer),
    { item: { Put: { TableName: tableName(), Item: { ...items.offer(offer), requestHash }, ConditionExpression: 'attribute_not_exists(pk)' } } },
    // The recipient is the owner as the offer lands; after that, the aggregator moves it along with the NFT.
    ...(recipient === null ? [] : [ownerStillIs(offer.nftId!, recipient)]),
    activity({
      kind: 'offer', nftId: offer.nftId, collectionId, actor: buyer, counterparty: recipient, price: offer.amount, reference: offerId, trait: offer.trait,
    }, at),
  ]);
  return offer;
}

/** A collection offer needs the collection; a trait offer, a trait value of it (its trait table's, or a minted NFT's). */
async function offerableCollection(collectionId: string, trait: Attribute | undefined): Promise<string> {
  if (!trait) {
    const collection = await readCollection(collectionId);
    if (!collection) throw tradingErrors.collectionNotFound();
    return collection.collectionId;
  }
  const found = await readItems([keys.collection(collectionId), keys.trait(collectionId, trait)]);
  if (!found.has(`${keys.collection(collectionId).pk}|COLLECTION`)) throw tradingErrors.collectionNotFound();
  if (found.size < 2) throw tradingErrors.traitNotFound();
  return collectionId;
}

function ownerStillIs(nftId: string, owner: string): GuardedWrite {
  return {
    item: {
      ConditionCheck: {
        TableName: tableName(), Key: keys.nft(nftId), ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': owner },
      },
    },
    onConditionFailed: 'stale',
  };
}

/** What an offer closing without a sale writes: its history entry, in the maker's and the recipient's feeds. */
function offerClosed(offer: Offer, kind: 'offer-cancellation' | 'offer-expiry', at: string): GuardedWrite {
  return activity({
    kind, nftId: offer.nftId, collectionId: offer.collectionId, actor: offer.buyer, counterparty: offer.recipient,
    price: offer.amount, reference: offer.offerId, trait: offer.trait,
  }, at);
}

function release(offer: Offer): AccountDeltas {
  return addDelta(new Map(), offer.buyer, { balance: offer.amount, held: -offer.amount });
}

export async function cancelOffer(caller: string, offerId: string, now: Date): Promise<{ offerId: string; status: 'cancelled' }> {
  return withOptimisticRetry(async () => {
    const offer = await readOffer(offerId);
    if (!offer) throw tradingErrors.offerNotFound();
    if (offer.buyer !== caller) throw tradingErrors.notBuyer();
    if (offer.status !== 'open') throw tradingErrors.offerNotOpen();
    const at = now.toISOString();
    await transact([
      closeOffer(offer, 'cancelled', at), ...accountChanges(release(offer), 'offer-release', offerId, at, caller),
      offerClosed(offer, 'offer-cancellation', at),
    ]);
    return { offerId, status: 'cancelled' as const };
  });
}

/**
 * The NFT's owner sells it for the held amount: the offer closes and the NFT moves in one transaction; the
 * maker's hold is released and seller, creator and platform paid through pending credits, so accepting two
 * offers of one maker, or in one collection, never touches a common item. Each attempt reads the clock
 * afresh (`clock`), after its reads, and the write is conditioned on the offer being unexpired then: an attempt
 * that lost a race and runs again after the expiry is refused.
 */
export async function acceptOffer(
  caller: string, offerId: string, namedNftId: string | undefined, clock: () => Date, config: TradingConfig,
) {
  return withOptimisticRetry(async () => {
    const found = await readOffer(offerId);
    if (found?.nftId && namedNftId && namedNftId !== found.nftId) throw tradingErrors.offerIsForAnotherNft();
    const nftId = found?.nftId ?? namedNftId;
    if (found && !nftId) throw new ValidationError('A collection offer needs the nftId you accept it with', [{ path: 'nftId', message: 'required' }]);
    const context = found && nftId ? await readTradeContext(nftId, found.collectionId) : null;
    const now = clock();
    const { offer, nft } = assertCanAccept(found, context?.nft ?? null, caller, now);
    if (offer.trait && !hasTrait(nft.attributes, offer.trait)) throw tradingErrors.traitMismatch();
    const { collection } = context!;
    if (!collection) throw tradingErrors.collectionNotFound();
    const at = now.toISOString();
    const { deltas, split } = saleDeltas({
      price: offer.amount, buyer: offer.buyer, seller: caller, creator: collection.creator,
      feeBps: config.feeBps, royaltyBps: collection.royaltyBps, paidFrom: 'held',
    });
    await transact([
      // The seller who accepted is its recipient from now on, a collection offer's too.
      closeOffer(offer, 'accepted', at, {
        acceptedBy: caller, acceptedNftId: nft.nftId, recipient: caller, ...indexKeysFor.offerRecipient({ ...offer, recipient: caller }),
      }),
      transferNft(nft, offer.buyer, 'unlisted', 'stale'),
      ...accountChanges(deltas, 'sale', offerId, at, null),
      activity({
        kind: 'sale', via: 'offer', nftId: nft.nftId, collectionId: nft.collectionId, actor: offer.buyer, counterparty: caller,
        price: offer.amount, reference: offerId, trait: offer.trait,
      }, at),
    ]);
    return {
      offerId, nftId: nft.nftId, collectionId: nft.collectionId, buyer: offer.buyer, seller: caller,
      price: offer.amount, soldAt: at, ...split,
    };
  });
}

/**
 * The sweep: open offers past their expiry go to `expired` and their funds return to the balance. One that
 * fails is reported, counted and retried later; the rest expire all the same (`workThroughDue`).
 */
export async function expireDueOffers(now: Date, options: DueRunOptions): Promise<{ expired: number; skipped: number; failed: string[]; leftForNextRun: number }> {
  const at = now.toISOString();
  const { done, ...run } = await workThroughDue(indexPartitions.openOffers, (item) => item.offerId as string, now, options, async (item) => {
    const offer = toStoredOffer(item);
    try {
      await transact([
        closeOffer(offer, 'expired', at), ...accountChanges(release(offer), 'offer-expired', offer.offerId, at, null),
        offerClosed(offer, 'offer-expiry', at),
      ]);
      return 'done';
    } catch (error) {
      // Accepted or cancelled meanwhile (read by its own key): nothing to release. Still open: a failure.
      if ((await readItem({ pk: item.pk as string, sk: item.sk as string }))?.status !== 'open') return 'skipped';
      throw error;
    }
  });
  return { expired: done, ...run };
}
