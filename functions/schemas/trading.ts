import * as z from 'zod/mini';
import { publicActivityTypes } from '../domain/activity-types.js';
import { maxTopup } from '../domain/money.js';
import { maxAuctionDays, maxAuctionOvertimeMinutes } from '../domain/trading-rules.js';
import { maxAttributes, maxTraitTableValues } from '../domain/traits.js';
import { attribute, displayText, id, imageUrl, pageFields, positiveMoney, traitKey, traitValue } from './common.js';

/**
 * An ISO-8601 instant, normalised to UTC with milliseconds so it sorts as a string: only years 0000-9999 in
 * UTC, since a later one (`9999-12-31T23:59:59-12:00` is `+010000-…`) would sort before every other.
 */
export const instant = z.pipe(
  z.iso.datetime({ offset: true }),
  z.pipe(
    z.transform((value: string) => new Date(value).toISOString()),
    z.string().check(z.regex(/^\d{4}-/, 'must be an instant in the years 0000 to 9999 UTC')),
  ),
);

const basisPoints = (max: number) => z.int().check(z.gte(0), z.lte(max));

export const topupRequest = z.strictObject({ amount: z.int().check(z.gte(1), z.lte(maxTopup)) });

export const createListingRequest = z.strictObject({ nftId: id, price: positiveMoney });

export const createOfferRequest = z
  .strictObject({
    nftId: z.optional(id), collectionId: z.optional(id), amount: positiveMoney, expiresAt: instant,
    trait: z.optional(attribute.check(z.describe('With collectionId: a trait offer, which only NFTs with this trait may accept'))),
  })
  .check(
    z.refine((o) => (o.nftId === undefined) !== (o.collectionId === undefined), {
      message: 'Give exactly one of nftId or collectionId', path: ['nftId'],
    }),
    z.refine((o) => o.trait === undefined || o.collectionId !== undefined, { message: 'A trait offer needs collectionId', path: ['trait'] }),
  );

export const acceptOfferRequest = z.strictObject({ nftId: z.optional(id) });

export const createAuctionRequest = z.strictObject({
  nftId: id, reservePrice: positiveMoney,
  startsAt: z.optional(instant.check(z.describe('When bidding opens; now if left out'))),
  // The window rules need the clock (startsAt defaults to now), so they are checked by assertAuctionWindow (400).
  endsAt: instant.check(z.describe(
    `The scheduled end: in the future, after startsAt and at most ${maxAuctionDays} days after it. A bid in the last minutes `
    + `extends the end, by at most ${maxAuctionOvertimeMinutes} minutes in all`,
  )),
  minIncrementBps: z.optional(z.int().check(z.gte(1), z.lte(10_000))),
});

export const bidRequest = z.strictObject({ amount: positiveMoney });

export const purchaseRequest = z.strictObject({ quantity: z.int().check(z.gte(1), z.lte(20)) });

/**
 * What minted NFTs draw their traits from: every key, one value each, by weight (functions/domain/traits.ts).
 * At most 16 keys and 99 values in all (each value's figures item is written with the collection).
 */
export const traitTable = z.array(z.strictObject({
  key: traitKey,
  values: z.array(z.strictObject({ value: traitValue, weight: z.int().check(z.gte(1), z.lte(1_000_000)) })).check(
    z.minLength(1), z.maxLength(maxTraitTableValues),
    z.refine((values) => new Set(values.map((v) => v.value)).size === values.length, 'values must be unique within a key'),
  ),
})).check(
  z.minLength(1), z.maxLength(maxAttributes),
  z.refine((traits) => new Set(traits.map((t) => t.key)).size === traits.length, 'trait keys must be unique'),
  z.refine((traits) => traits.reduce((sum, t) => sum + t.values.length, 0) <= maxTraitTableValues, `at most ${maxTraitTableValues} values in all`),
);

export const createCollectionRequest = z.strictObject({
  name: displayText(100),
  image: imageUrl(2048),
  royaltyBps: basisPoints(2_500),
  traits: z.optional(traitTable.check(z.describe('The trait table minted NFTs draw their traits from (none: minted NFTs have no traits)'))),
});

export const createPresaleRequest = z.strictObject({
  collectionId: id, price: positiveMoney, supply: z.int().check(z.gte(1), z.lte(100_000)),
  perWalletLimit: z.int().check(z.gte(1), z.lte(20)), startsAt: instant, endsAt: instant,
  allowlist: z.optional(z.array(id).check(z.minLength(1), z.maxLength(1_000))),
});

/** `?types=sale,bid`: activity of these public types only (functions/domain/activity-types.ts). */
const activityTypes = z.optional(z.array(z.enum(publicActivityTypes)).check(
  z.minLength(1), z.maxLength(20),
  z.describe(`Comma-separated: ${publicActivityTypes.join(', ')}. Left out: every type`),
));

// minAsOf: the activity list is never cached in Lambda, but CloudFront keys on it (functions/schemas/freshness.ts).
export const activityQuery = z.object({
  collectionId: z.optional(id), nftId: z.optional(id), types: activityTypes, ...pageFields, minAsOf: z.optional(instant),
});

export const myActivityQuery = z.object({ types: activityTypes, ...pageFields });

export const listingIdParam = z.object({ listingId: id });
export const offerIdParam = z.object({ offerId: id });
export const auctionIdParam = z.object({ auctionId: id });
export const presaleIdParam = z.object({ presaleId: id });
export const collectionIdParam = z.object({ collectionId: id });
