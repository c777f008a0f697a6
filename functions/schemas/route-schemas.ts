import type { ZodType } from 'zod';
import { pageQuery, auctionFilters, myNftsQuery, myOffersQuery, presaleFilters } from './lists.js';
import { collectionsQuery, floorRequest, listingFilters } from './market.js';
import * as responses from './responses.js';

export interface RouteSchemas {
  body?: ZodType;
  query?: ZodType;
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
  listMyTopups: { query: pageQuery, response: responses.page(responses.topup) },
};
