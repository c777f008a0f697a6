import type { Auction } from '../domain/catalog.js';
import { addDelta, saleDeltas } from '../domain/money.js';
import { DomainError } from '../domain/errors.js';
import type { TradingConfig } from '../domain/trading-config.js';
import { tradingErrors } from '../domain/trading-errors.js';
import { acceptBid, assertAuctionWindow, assertCanCancel, assertCanSell, assertCanSettle } from '../domain/trading-rules.js';
import { tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { indexKeysFor, indexPartitions, keys } from '../data/keys.js';
import { readAuction, readNft, readTradeContext } from '../data/trade-reads.js';
import { accountChanges, activity } from '../data/trade-writes.js';
import { transact, withOptimisticRetry, type GuardedWrite } from '../data/transactions.js';
import { toAuction, type AuctionRecord } from '../data/window-repository.js';
import { createdBefore } from './created-before.js';
import { workThroughDue, type DueRunOptions } from './due-work.js';
import { withPendingCreditsApplied } from './pending-credits.js';
import { releaseNft, reserveNft, transferNft } from '../data/nft-writes.js';

export async function createAuction(
  seller: string,
  request: { nftId: string; reservePrice: number; startsAt?: string | undefined; endsAt: string; minIncrementBps?: number | undefined },
  auctionId: string, requestHash: string | null, now: Date, config: TradingConfig,
): Promise<Auction> {
  return withOptimisticRetry(async () => {
    const at = now.toISOString();
    const earlier = await createdBefore(keys.auction(auctionId), requestHash, (item) => toAuction(item, at));
    if (earlier) return earlier;
    const nft = assertCanSell(await readNft(request.nftId), seller);
    const startsAt = request.startsAt ?? at;
    assertAuctionWindow(startsAt, request.endsAt, now);
    const auction = {
      auctionId, nftId: nft.nftId, collectionId: nft.collectionId, seller, name: nft.name, image: nft.image,
      reservePrice: request.reservePrice, highestBid: null, highestBidder: null, bidCount: 0, startsAt, endsAt: request.endsAt,
      scheduledEndsAt: request.endsAt, settledAt: null, minIncrementBps: request.minIncrementBps ?? config.minIncrementBps,
    };
    await transact([
      reserveNft(nft, 'auctionId', auctionId),
      { item: { Put: { TableName: tableName(), Item: { ...items.auction(auction), requestHash, createdAt: at }, ConditionExpression: 'attribute_not_exists(pk)' } } },
      activity({ kind: 'auction', nftId: nft.nftId, collectionId: nft.collectionId, actor: seller, price: request.reservePrice, reference: auctionId }, at),
    ]);
    return toAuction(auction, at);
  });
}

/** Only if the auction is exactly as read: same top bid, same end, not settled (nor cancelled, which sets settledAt too). */
function auctionUnchanged(auction: AuctionRecord, values: Record<string, unknown>): string {
  values[':seenEnd'] = auction.endsAt;
  values[':nullType'] = 'NULL';
  if (auction.highestBid === null) return 'attribute_type(highestBid, :nullType) AND endsAt = :seenEnd AND attribute_type(settledAt, :nullType)';
  values[':seenBid'] = auction.highestBid;
  values[':seenBidder'] = auction.highestBidder;
  return 'highestBid = :seenBid AND highestBidder = :seenBidder AND endsAt = :seenEnd AND attribute_type(settledAt, :nullType)';
}

/**
 * A bid holds the bidder's funds, in one transaction with the new top bid; the previous top bidder's hold
 * is released by a pending credit, so bids on two auctions that outbid the same user share no item. A bid
 * near the end pushes the end out (anti-sniping).
 *
 * Each attempt reads the clock afresh (`clock`), after reading the auction: an attempt that lost a race
 * and runs again after the end is refused, as is a first attempt that reaches the end while it waits.
 */
export async function placeBid(bidder: string, auctionId: string, amount: number, clock: () => Date, config: TradingConfig): Promise<Auction> {
  return withPendingCreditsApplied(bidder, clock(), () => withOptimisticRetry(async () => {
    const auction = await readAuction(auctionId);
    if (!auction) throw tradingErrors.auctionNotFound();
    const now = clock();
    const { endsAt } = acceptBid(auction, bidder, amount, now, config.antiSnipingSeconds);
    const at = now.toISOString();
    const extended = endsAt !== auction.endsAt;
    const values: Record<string, unknown> = {
      ':amount': amount, ':bidder': bidder, ':one': 1, ':attemptAt': at,
      // The end moves only under anti-sniping; then so does the settlement job's key (list keys never do).
      ...(extended ? { ':endsAt': endsAt, ':gsi5sk': indexKeysFor.unsettledAuction({ auctionId, endsAt }).gsi5sk } : {}),
    };
    // endsAt = :seenEnd > the attempt's time already follows from the rule above; stated in the write too.
    const condition = `${auctionUnchanged(auction, values)} AND endsAt > :attemptAt`;
    const deltas = addDelta(new Map(), bidder, { balance: -amount, held: amount });
    if (auction.highestBidder && auction.highestBid !== null) {
      addDelta(deltas, auction.highestBidder, { balance: auction.highestBid, held: -auction.highestBid });
    }
    const writes: GuardedWrite[] = [
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.auction(auctionId),
            UpdateExpression: `SET highestBid = :amount, highestBidder = :bidder${extended ? ', endsAt = :endsAt, gsi5sk = :gsi5sk' : ''} ADD bidCount :one`,
            ConditionExpression: condition,
            ExpressionAttributeValues: values,
          },
        },
        onConditionFailed: 'stale',
      },
      ...accountChanges(deltas, 'bid', auctionId, at, bidder),
      { item: { Put: { TableName: tableName(), Item: { ...keys.bid(auctionId, at, bidder), entity: 'bid', auctionId, bidder, amount, at } } } },
      activity({ kind: 'bid', nftId: auction.nftId, collectionId: auction.collectionId, actor: bidder, price: amount, reference: auctionId }, at),
    ];
    await transact(writes);
    return toAuction({ ...auction, highestBid: amount, highestBidder: bidder, bidCount: auction.bidCount + 1, endsAt }, at);
  }));
}

/** Every index key an auction carries: a cancelled auction leaves every list and the settlement job's. */
const auctionIndexAttributes = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk', 'gsi5pk', 'gsi5sk'];

export interface AuctionCancellation {
  auctionId: string;
  status: 'cancelled';
  cancelledAt: string;
}

/**
 * The seller takes an auction back while it has no bid and has not ended: the NFT is released to them as
 * by a settlement without bids. Write set: the auction, the NFT, an activity. A retry after it went
 * through answers the same.
 */
export async function cancelAuction(caller: string, auctionId: string, clock: () => Date): Promise<AuctionCancellation> {
  return withOptimisticRetry(async () => {
    const found = await readAuction(auctionId);
    const now = clock();
    const auction = assertCanCancel(found, caller, now);
    if (auction.cancelledAt) return { auctionId, status: 'cancelled', cancelledAt: auction.cancelledAt };
    const { nftId, collectionId, reservePrice } = auction;
    const at = now.toISOString();
    const values: Record<string, unknown> = { ':now': at };
    await transact([
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.auction(auctionId),
            UpdateExpression: `SET settledAt = :now, cancelledAt = :now REMOVE ${auctionIndexAttributes.join(', ')}`,
            // Still without a bid, and not ended by the time of this attempt.
            ConditionExpression: `${auctionUnchanged(auction, values)} AND endsAt > :now`,
            ExpressionAttributeValues: values,
          },
        },
        onConditionFailed: 'stale',
      },
      releaseNft(nftId, 'auctionId', auctionId),
      activity({ kind: 'auction-cancellation', nftId, collectionId, actor: caller, price: reservePrice, reference: auctionId }, at),
    ]);
    return { auctionId, status: 'cancelled', cancelledAt: at };
  });
}

export interface Settlement {
  auctionId: string;
  outcome: 'sold' | 'unsold';
  winner: string | null;
  price: number | null;
  settledAt: string;
}

/** Exactly once: the auction's settledAt is set on condition it was not, with the NFT and money moves. */
export async function settleAuction(auctionId: string, now: Date, config: TradingConfig): Promise<Settlement> {
  return withOptimisticRetry(async () => {
    const auction = assertCanSettle(await readAuction(auctionId), now);
    const at = now.toISOString();
    const values: Record<string, unknown> = { ':now': at };
    const condition = auctionUnchanged(auction, values);
    const closeAuction: GuardedWrite = {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.auction(auctionId),
          UpdateExpression: 'SET settledAt = :now REMOVE gsi5pk, gsi5sk',
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed: 'stale',
    };
    if (auction.highestBidder === null || auction.highestBid === null) {
      await transact([
        closeAuction,
        releaseNft(auction.nftId, 'auctionId', auctionId),
        activity({ kind: 'settlement', nftId: auction.nftId, collectionId: auction.collectionId, actor: auction.seller, reference: auctionId }, at),
      ]);
      return { auctionId, outcome: 'unsold', winner: null, price: null, settledAt: at };
    }
    const winner = auction.highestBidder;
    const price = auction.highestBid;
    const { nft, collection } = await readTradeContext(auction.nftId, auction.collectionId);
    if (!nft || !collection) throw tradingErrors.auctionNotFound();
    const { deltas } = saleDeltas({
      price, buyer: winner, seller: auction.seller, creator: collection.creator,
      feeBps: config.feeBps, royaltyBps: collection.royaltyBps, paidFrom: 'held',
    });
    await transact([
      closeAuction,
      transferNft(nft, winner, { auctionId }, 'stale'),
      ...accountChanges(deltas, 'sale', auctionId, at, null),
      activity({ kind: 'sale', via: 'auction', nftId: auction.nftId, collectionId: auction.collectionId, actor: winner, counterparty: auction.seller, price, reference: auctionId }, at),
    ]);
    return { auctionId, outcome: 'sold', winner, price, settledAt: at };
  });
}

/** Another settlement or the seller's cancellation closed the auction between the job's query and its settlement. */
function closedMeanwhile(error: unknown): boolean {
  return error instanceof DomainError && (error.code === 'AUCTION_SETTLED' || error.code === 'AUCTION_CANCELLED');
}

/**
 * The scheduled job: settle every auction that has ended, oldest end first. One that fails is reported,
 * counted and retried later; the rest are settled all the same (`workThroughDue`).
 */
export async function settleDueAuctions(
  now: Date, config: TradingConfig, options: DueRunOptions,
): Promise<{ settled: number; skipped: number; failed: string[]; leftForNextRun: number }> {
  const { done, ...run } = await workThroughDue(indexPartitions.unsettledAuctions, (item) => item.auctionId as string, now, options, async (item) => {
    try {
      await settleAuction(item.auctionId as string, now, config);
      return 'done';
    } catch (error) {
      if (closedMeanwhile(error)) return 'skipped';
      throw error;
    }
  });
  return { settled: done, ...run };
}
