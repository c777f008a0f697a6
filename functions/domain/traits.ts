import { createHash } from 'node:crypto';
import type { ActivityFacts } from './market-stats.js';

/** Plain rules about NFT traits (attributes): no I/O, so they are tested without DynamoDB. */

export interface Attribute {
  key: string;
  value: string;
}

/**
 * Names every plain object already has (`__proto__`, `constructor`, `toString`, ...). A trait key may not be
 * one: trait filters and tables are objects keyed by trait key, where such a name would be read as inherited
 * or, as `__proto__`, not kept at all. One rule for every place a trait key comes in (the request schemas).
 */
const objectPropertyNames: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export function isAllowedTraitKey(key: string): boolean {
  return !objectPropertyNames.has(key);
}

/** The most traits an NFT carries; the keys of one NFT are unique. */
export const maxAttributes = 16;

/**
 * A collection's trait table: per key, the values a mint may draw and their weights. Minted NFTs get one value
 * of every key, drawn by weight from a hash of the NFT id (`assignAttributes`), so a retried mint draws the same.
 */
export interface TraitTable {
  traits: Array<{ key: string; values: Array<{ value: string; weight: number }> }>;
}

/** Every trait value of the table gets an item (and a count) when the collection is made: one transaction. */
export const maxTraitTableValues = 99;

/** A number in [0, 1) from a hash of the NFT id and the trait key: the same NFT always draws the same value. */
function draw(nftId: string, key: string): number {
  return createHash('sha256').update(`${nftId}\u0000${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

export function assignAttributes(table: TraitTable | null, nftId: string): Attribute[] {
  if (!table) return [];
  return table.traits.map(({ key, values }) => {
    const total = values.reduce((sum, v) => sum + v.weight, 0);
    let roll = draw(nftId, key) * total;
    const chosen = values.find((v) => (roll -= v.weight) < 0) ?? values[values.length - 1]!;
    return { key, value: chosen.value };
  });
}

/** Which values of which keys a listing must have: any of a key's values (OR), every key (AND). */
export type TraitFilter = Record<string, string[]>;

export function matchesTraits(attributes: readonly Attribute[], filter: TraitFilter): boolean {
  return Object.entries(filter).every(([key, values]) => attributes.some((a) => a.key === key && values.includes(a.value)));
}

/**
 * The key whose value partitions are read: the one with fewest values asked for, so the fewest partitions
 * are queried (ties: the first in key order, so the same filter always reads the same partitions).
 */
export function drivingKey(filter: TraitFilter): string {
  return Object.keys(filter).sort().reduce((best, key) => (filter[key]!.length < filter[best]!.length ? key : best));
}

export function hasTrait(attributes: readonly Attribute[], trait: Attribute): boolean {
  return attributes.some((a) => a.key === trait.key && a.value === trait.value);
}

/** One trait value's identity within its collection. */
export const traitId = (t: Attribute) => JSON.stringify([t.key, t.value]);

export interface TraitCountChange extends Attribute {
  tokenCount: number;
  listedCount: number;
}

/**
 * What counted activities do to a collection's trait counts: a mint adds a token to each of its NFT's
 * traits; a listing adds a listed token, and a cancellation or a sale through the listing takes it away.
 * Transfers (sales) change no token count. Changes that add up to zero are left out.
 */
export function traitCountChanges(activities: readonly ActivityFacts[]): Map<string, TraitCountChange> {
  const changes = new Map<string, TraitCountChange>();
  const add = (attributes: readonly Attribute[] | null | undefined, tokens: number, listed: number) => {
    for (const attribute of attributes ?? []) {
      const id = traitId(attribute);
      const change = changes.get(id) ?? { key: attribute.key, value: attribute.value, tokenCount: 0, listedCount: 0 };
      change.tokenCount += tokens;
      change.listedCount += listed;
      changes.set(id, change);
    }
  };
  for (const a of activities) {
    if (a.kind === 'mint') add(a.attributes, 1, 0);
    else if (a.kind === 'listing') add(a.attributes, 0, 1);
    else if (a.kind === 'cancellation' || (a.kind === 'sale' && a.via === 'listing')) add(a.attributes, 0, -1);
  }
  for (const [id, change] of changes) if (change.tokenCount === 0 && change.listedCount === 0) changes.delete(id);
  return changes;
}

/** Traits whose listings came or went (their floor is read again), and traits whose offer book changed. */
export function traitsToRefresh(activities: readonly ActivityFacts[]): { floors: Attribute[]; topOffers: Attribute[] } {
  const floors = new Map<string, Attribute>();
  const topOffers = new Map<string, Attribute>();
  for (const a of activities) {
    if (a.kind === 'listing' || a.kind === 'cancellation' || (a.kind === 'sale' && a.via === 'listing')) {
      for (const attribute of a.attributes ?? []) floors.set(traitId(attribute), attribute);
    }
    const offerEvent = a.kind === 'offer' || a.kind === 'offer-cancellation' || a.kind === 'offer-expiry' || (a.kind === 'sale' && a.via === 'offer');
    if (offerEvent && a.trait) topOffers.set(traitId(a.trait), a.trait);
  }
  return { floors: [...floors.values()], topOffers: [...topOffers.values()] };
}

/** Trait values grouped by key, keys and values in the order given. */
export function groupByKey<T extends Attribute>(values: readonly T[]): Array<{ key: string; values: Array<Omit<T, 'key'>> }> {
  const groups = new Map<string, Array<Omit<T, 'key'>>>();
  for (const { key, ...rest } of values) groups.set(key, [...(groups.get(key) ?? []), rest]);
  return [...groups].map(([key, grouped]) => ({ key, values: grouped }));
}
