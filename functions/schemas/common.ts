// zod/mini: the same validation as classic zod at a fraction of the bundle and import time (every Lambda
// with input loads these at init). Classic zod is used only where nothing is deployed (OpenAPI, tests).
import * as z from 'zod/mini';
import { maxAmount } from '../domain/money.js';
import { isAllowedTraitKey } from '../domain/traits.js';

/** Opaque identifiers: no '#', which the table uses as its key separator. */
export const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'));

/** Money: an integer of minor units. Never a float, never above 2^53 - 1. */
export const money = z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
/** A price, offer, bid or reserve: at most `maxAmount`, so every sum of them stays exact (functions/domain/money.ts). */
export const positiveMoney = z.int().check(z.gte(1), z.lte(maxAmount));

/** A lone surrogate: a string holding one cannot be encoded as UTF-8, and strict JSON parsers reject it. */
const loneSurrogate = /\p{Cs}/u;
/** Control characters, and line or paragraph separators: nothing a one-line text or a URL carries. */
const controlCharacter = /[\p{Cc}\u2028\u2029]/u;
/**
 * What renders as nothing on its own: whitespace, format characters (zero-width space and joiners, word
 * joiner, BOM, bidi marks), default-ignorable fillers (U+3164, U+115F, U+FFA0, variation selectors),
 * combining marks without a base, the blank braille pattern.
 */
const visibleCharacter = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\p{Cs}\u2800]/u;

const wellFormed = z.refine<string>((value) => !loneSurrogate.test(value), 'must be well-formed Unicode (no lone surrogate)');
const noControlCharacters = z.refine<string>((value) => !controlCharacter.test(value), 'must not contain control characters or line breaks');

/**
 * Text a client names something with, stored and served back to everyone: trimmed, 1 to `max` UTF-16 units,
 * well-formed, on one line, and showing at least one visible character. Zero-width joiners and the like
 * stay allowed between visible characters (emoji sequences need them).
 */
export const displayText = (max: number) => z.string().check(
  z.trim(), z.minLength(1), z.maxLength(max), wellFormed, noControlCharacters,
  z.refine<string>((value) => visibleCharacter.test(value), 'must contain a visible character'),
);

/** An http(s) URL a client gives for an image: well-formed, with no control characters or invisible ones. */
export const imageUrl = (max: number) => z.url({ protocol: /^https?$/ }).check(
  z.maxLength(max), wellFormed, noControlCharacters,
  z.refine<string>((value) => !/[\p{Cf}\p{Default_Ignorable_Code_Point}]/u.test(value), 'must not contain invisible characters'),
);

/** A trait's key: no ':', which separates key from value in `trait=Key:Value` (GET /offers); no built-in object property's name. */
export const traitKey = displayText(32).check(
  z.refine<string>((value) => !value.includes(':'), "must not contain ':'"),
  z.refine<string>(isAllowedTraitKey, 'must not be the name of a built-in object property (__proto__, constructor, toString, ...)'),
);
export const traitValue = displayText(64);
/** One trait of an NFT; an NFT has at most 16, one per key (its collection's trait table gives them). */
export const attribute = z.strictObject({ key: traitKey, value: traitValue });

export const limit = z._default(z.int().check(z.gte(1), z.lte(100)), 20);
export const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));

export const pageFields = { limit, cursor };

export const windowStatus = z.enum(['live', 'upcoming', 'ended']);
export type WindowStatus = z.infer<typeof windowStatus>;

export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }),
});
