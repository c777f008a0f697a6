import type { ZodType } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import { pageQuery, auctionFilters, collectionTraitsQuery, myNftsQuery, myOffersQuery, openOffersQuery, presaleFilters } from './lists.js';
import { collectionsQuery, floorRequest, listingFilters } from './market.js';
import { depthQuery, historyQuery, holdersQuery } from './collection-market.js';
import { feedPage, feedQuery } from './feed.js';
import * as responses from './responses.js';
import * as trading from './trading.js';
import * as bulk from './bulk-trading.js';
import * as payments from './payments.js';

export interface RouteSchemas {
  /** Request schemas are zod/mini (what the handlers run); response schemas classic zod (docs and tests). */
  body?: $ZodType;
  query?: $ZodType;
  response: ZodType;
  /** The success status, when not 200. */
  status?: number;
}

/** Request and response schemas per route id, for the OpenAPI document and the contract tests. */
export const routeSchemas: Record<string, RouteSchemas> = {
  listMarketListings: { body: listingFilters, response: responses.page(responses.listing) },
  getMarketListings: { query: listingFilters, response: responses.page(responses.listing) },
  postMarketFloor: { body: floorRequest, response: responses.floors },
  getMarketFloor: { query: floorRequest, response: responses.floors },
  listCollections: { query: collectionsQuery, response: responses.page(responses.collection) },
  getAccount: { response: responses.account },
  listMyNfts: { query: myNftsQuery, response: responses.page(responses.ownedNft) },
  listMyOffers: { query: myOffersQuery, response: responses.page(responses.offer) },
  listAuctions: { body: auctionFilters, response: responses.page(responses.auction) },
  getAuctions: { query: auctionFilters, response: responses.page(responses.auction) },
  listPresales: { body: presaleFilters, response: responses.page(responses.presale) },
  getPresales: { query: presaleFilters, response: responses.page(responses.presale) },
  listMyTopups: { query: pageQuery, response: responses.page(payments.topup) },
  listActivity: { query: trading.activityQuery, response: responses.page(responses.activity) },
  getCollectionDepth: { query: depthQuery, response: responses.depth },
  getCollectionHistory: { query: historyQuery, response: responses.history },
  listCollectionHolders: { query: holdersQuery, response: responses.holders },
  listMyActivity: { query: trading.myActivityQuery, response: responses.page(responses.userActivity) },
  listOpenOffers: { query: openOffersQuery, response: responses.page(responses.offer) },
  getCollectionTraits: { query: collectionTraitsQuery, response: responses.collectionTraits },
  readFeed: { query: feedQuery, response: feedPage },
  createTopup: { body: trading.topupRequest, response: payments.startedTopup, status: 201 },
  listMyWithdrawals: { query: pageQuery, response: responses.page(payments.withdrawal) },
  createWithdrawal: { body: payments.withdrawalRequest, response: payments.withdrawal, status: 201 },
  stripeWebhook: { response: payments.webhookAnswer },
  createListing: { body: trading.createListingRequest, response: responses.listing, status: 201 },
  cancelListing: { response: responses.cancelledListing },
  buyListing: { response: responses.sale },
  sweepCollection: { body: bulk.sweepRequest, response: responses.sweep },
  createListingsBatch: { body: bulk.createListingsRequest, response: responses.listingBatch },
  cancelListingsBatch: { body: bulk.cancelListingsRequest, response: responses.cancellationBatch },
  createCollection: { body: trading.createCollectionRequest, response: responses.collection, status: 201 },
  createOffer: { body: trading.createOfferRequest, response: responses.offer, status: 201 },
  cancelOffer: { response: responses.closed },
  acceptOffer: { body: trading.acceptOfferRequest, response: responses.sale },
  createAuction: { body: trading.createAuctionRequest, response: responses.auction, status: 201 },
  placeBid: { body: trading.bidRequest, response: responses.auction },
  cancelAuction: { response: responses.auctionCancellation },
  settleAuction: { response: responses.settlement },
  createPresale: { body: trading.createPresaleRequest, response: responses.presale, status: 201 },
  purchasePresale: { body: trading.purchaseRequest, response: responses.purchase, status: 201 },
};
