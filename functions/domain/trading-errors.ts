import { ConflictError, DomainError, ForbiddenError, NotFoundError } from './errors.js';

/** 409 INSUFFICIENT_FUNDS. `needed` is the balance the refused debit required (for the server's use; clients see the code). */
export class InsufficientFundsError extends ConflictError {
  constructor(readonly needed: number) {
    super('INSUFFICIENT_FUNDS', 'The balance does not cover this amount');
  }
}

/** The errors trading answers with; each code says which rule or condition failed. */
export const tradingErrors = {
  insufficientFunds: (needed: number) => new InsufficientFundsError(needed),
  balanceLimit: (maxBalance: number) =>
    new ConflictError('BALANCE_LIMIT', `This would take the balance past ${maxBalance}, the most it may hold`, { maxBalance }),
  amountOutOfRange: () =>
    new ConflictError('AMOUNT_OUT_OF_RANGE', 'An amount in this change is beyond 2^53 - 1, the largest kept exact; nothing was written'),
  listingUnavailable: () => new ConflictError('LISTING_UNAVAILABLE', 'The listing is sold, cancelled or does not exist'),
  listingNotFound: () => new NotFoundError('LISTING_NOT_FOUND', 'No such listing'),
  notSeller: () => new ForbiddenError('NOT_SELLER', 'Only the seller can do this'),
  ownListing: () => new ConflictError('OWN_LISTING', 'You cannot buy your own listing'),
  nftNotFound: () => new NotFoundError('NFT_NOT_FOUND', 'No such NFT'),
  notOwner: () => new ForbiddenError('NOT_OWNER', 'Only the NFT owner can do this'),
  nftBusy: () => new ConflictError('NFT_UNAVAILABLE', 'The NFT is already listed or in an auction'),
  offerNotFound: () => new NotFoundError('OFFER_NOT_FOUND', 'No such offer'),
  offerNotOpen: () => new ConflictError('OFFER_NOT_OPEN', 'The offer is accepted, cancelled or expired'),
  notBuyer: () => new ForbiddenError('NOT_OFFER_MAKER', 'Only the offer maker can do this'),
  ownNft: () => new ConflictError('OWN_NFT', 'You already own this NFT'),
  offerIsForAnotherNft: () => new ConflictError('OFFER_FOR_ANOTHER_NFT', 'This offer is for another NFT than the one named'),
  traitMismatch: () => new ConflictError('TRAIT_MISMATCH', 'The NFT does not have the trait this offer is for'),
  traitNotFound: () => new NotFoundError('TRAIT_NOT_FOUND', 'The collection has no such trait value'),
  wrongCollection: () => new ConflictError('WRONG_COLLECTION', 'The NFT is not in the offer\'s collection'),
  auctionNotFound: () => new NotFoundError('AUCTION_NOT_FOUND', 'No such auction'),
  auctionNotLive: () => new ConflictError('AUCTION_NOT_LIVE', 'The auction has not started or has ended'),
  auctionNotEnded: () => new ConflictError('AUCTION_NOT_ENDED', 'The auction has not ended yet'),
  auctionSettled: () => new ConflictError('AUCTION_SETTLED', 'The auction is already settled'),
  auctionCancelled: () => new ConflictError('AUCTION_CANCELLED', 'The auction was cancelled by its seller'),
  auctionHasBids: () => new ConflictError('AUCTION_HAS_BIDS', 'An auction cannot be cancelled once it has a bid'),
  auctionEnded: () => new ConflictError('AUCTION_ENDED', 'The auction has ended; settle it instead'),
  bidTooLow: (minimum: number) =>
    new ConflictError('BID_TOO_LOW', `The bid must be at least ${minimum}`, { minimumBid: minimum }),
  ownAuction: () => new ConflictError('OWN_AUCTION', 'You cannot bid on your own auction'),
  alreadyHighestBidder: () => new ConflictError('ALREADY_HIGHEST_BIDDER', 'You already hold the highest bid'),
  presaleNotFound: () => new NotFoundError('PRESALE_NOT_FOUND', 'No such presale'),
  presaleNotLive: () => new ConflictError('PRESALE_NOT_LIVE', 'The presale has not started or has ended'),
  soldOut: () => new ConflictError('SOLD_OUT', 'Not enough supply left'),
  walletLimit: (remaining: number) =>
    new ConflictError('WALLET_LIMIT', `This wallet can buy at most ${remaining} more`, { remaining }),
  notAllowlisted: () => new ForbiddenError('NOT_ALLOWLISTED', 'This presale is for allowlisted wallets'),
  collectionNotFound: () => new NotFoundError('COLLECTION_NOT_FOUND', 'No such collection'),
  notCreator: () => new ForbiddenError('NOT_CREATOR', 'Only creators can do this'),
  notCollectionCreator: () => new ForbiddenError('NOT_COLLECTION_CREATOR', 'Only the collection\'s creator can do this'),
  idempotencyKeyReused: () =>
    new DomainError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request'),
  busy: () => new ConflictError('CONCURRENT_UPDATE', 'Too many simultaneous changes to the same item; retry'),
};
