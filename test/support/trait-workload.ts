import { assignAttributes, type TraitTable } from '../../functions/domain/traits.js';
import type { ApiAnswer, TestMarketplace } from './marketplace.js';
import { prng, runWeighted } from './random-workload.js';
import { scanTable } from './table-audit.js';

type Attribute = { key: string; value: string };
interface Nft { nftId: string; owner: string; collectionId: string; attributes: Attribute[] }

export interface TraitWorkloadResult {
  trades: number;
  /** `<kind> <status>` → how many. */
  outcomes: Map<string, number>;
  serverErrors: string[];
}

/**
 * Random trades that move trait figures, from `workers` clients at once: list, cancel, buy, mint, and offers
 * accepted (on an NFT, on its collection, on one of its traits; a trait offer on a trait the NFT lacks must be
 * refused with TRAIT_MISMATCH, then is cancelled; one in ten trait offers is left open). What it knows of the
 * market it learns from the table once, then from its own answers; a refusal drops what it believed.
 */
export async function runTraitWorkload(market: TestMarketplace, options: { trades: number; seed: number; workers: number }): Promise<TraitWorkloadResult> {
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
  const price = () => 1 + Math.floor(random() * 40_000);
  const items = await scanTable(market.doc, market.tableName);
  const users = items.filter((i) => i.entity === 'account' && !String(i.userId).startsWith('~')).map((i) => i.userId as string);
  const tokens = new Map(await Promise.all(users.map(async (u) => [u, await market.token(u)] as const)));
  const free = new Map<string, Nft>(items.filter((i) => i.entity === 'nft' && !i.listingId && !i.auctionId)
    .map((i) => [i.nftId, { nftId: i.nftId, owner: i.owner, collectionId: i.collectionId, attributes: i.attributes ?? [] }]));
  const listed = new Map<string, Nft & { listingId: string }>(items.filter((i) => i.entity === 'listing' && i.status === 'active')
    .map((i) => [i.listingId, { listingId: i.listingId, nftId: i.nftId, owner: i.seller, collectionId: i.collectionId, attributes: i.attributes ?? [] }]));
  const tables = new Map<string, TraitTable['traits']>(items.filter((i) => i.entity === 'collection' && i.traitTable).map((i) => [i.collectionId, i.traitTable.traits]));
  const now = new Date().toISOString();
  const presaleCollections = new Map<string, string>(items
    .filter((i) => i.entity === 'presale' && i.startsAt <= now && i.endsAt > inMinutes(30) && !i.allowlist && tables.has(i.collectionId))
    .map((i) => [i.presaleId, i.collectionId]));
  const presales = [...presaleCollections.keys()];

  const outcomes = new Map<string, number>();
  const serverErrors: string[] = [];
  let keys = 0;
  const call = (user: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    market.call(method, path, { token: tokens.get(user)!, body, headers });
  const record = (kind: string, answer: ApiAnswer) => {
    const key = `${kind} ${answer.status}${answer.status >= 400 ? ` ${answer.body?.error?.code ?? ''}` : ''}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    if (answer.status >= 500) serverErrors.push(`${kind}: ${JSON.stringify(answer.body)}`);
    return answer;
  };
  /** Runs a paying request; a refusal for want of funds tops the payer up and tries once more. */
  const paying = async (user: string, send: () => Promise<ApiAnswer>) => {
    const answer = await send();
    if (answer.body?.error?.code !== 'INSUFFICIENT_FUNDS') return answer;
    await call(user, 'POST', '/users/balance-topups', { amount: 100_000_000 }, { 'idempotency-key': `tw-${options.seed}-${++keys}` });
    return send();
  };
  const take = <T extends { nftId: string }>(map: Map<string, T>, key?: string) => {
    const chosen = key ?? pick([...map.keys()]);
    const value = chosen === undefined ? undefined : map.get(chosen);
    if (chosen !== undefined) map.delete(chosen);
    return value;
  };

  const operations: Array<[number, () => Promise<void>]> = [
    [30, async () => {
      const nft = take(free);
      if (!nft) return;
      const answer = record('list', await call(nft.owner, 'POST', '/market/listings', { nftId: nft.nftId, price: price() }));
      if (answer.status === 201) listed.set(answer.body.listingId, { ...nft, listingId: answer.body.listingId });
    }],
    [10, async () => {
      const listing = take(listed);
      if (!listing) return;
      const answer = record('cancel', await call(listing.owner, 'DELETE', `/market/listings/${listing.listingId}`));
      if (answer.status === 200) free.set(listing.nftId, listing);
    }],
    [25, async () => {
      const listing = take(listed);
      const buyer = pick(users.filter((u) => u !== listing?.owner));
      if (!listing || !buyer) return;
      const answer = record('buy', await paying(buyer, () => call(buyer, 'POST', `/market/listings/${listing.listingId}/buy`)));
      if (answer.status === 200) free.set(listing.nftId, { ...listing, owner: buyer });
    }],
    [25, async () => {
      const nft = take(free);
      const maker = pick(users.filter((u) => u !== nft?.owner));
      if (!nft || !maker) return;
      const roll = random();
      const table = tables.get(nft.collectionId);
      const lacking = table?.flatMap(({ key, values }) => values.filter((v) => !nft.attributes.some((a) => a.key === key && a.value === v.value)).map((v) => ({ key, value: v.value }))) ?? [];
      const target = roll < 0.3 || !table ? { kind: 'nft-offer', body: { nftId: nft.nftId } }
        : roll < 0.45 ? { kind: 'collection-offer', body: { collectionId: nft.collectionId } }
          : roll < 0.85 || lacking.length === 0 ? { kind: 'trait-offer', body: { collectionId: nft.collectionId, trait: pick(nft.attributes) } }
            : { kind: 'mismatched-trait-offer', body: { collectionId: nft.collectionId, trait: pick(lacking) } };
      const made = record(target.kind, await paying(maker, () => call(maker, 'POST', '/offers', { ...target.body, amount: price(), expiresAt: inMinutes(60) })));
      if (made.status !== 201) { free.set(nft.nftId, nft); return; }
      if (target.kind === 'trait-offer' && random() < 0.1) { free.set(nft.nftId, nft); return; } // left open: the trait keeps a top offer
      const accepted = record(`accept ${target.kind}`, await call(nft.owner, 'POST', `/offers/${made.body.offerId}/accept`, { nftId: nft.nftId }));
      if (accepted.status === 200) {
        free.set(nft.nftId, { ...nft, owner: maker });
        return;
      }
      free.set(nft.nftId, nft);
      record(`cancel ${target.kind}`, await call(maker, 'DELETE', `/offers/${made.body.offerId}`));
    }],
    [10, async () => {
      const presaleId = pick(presales);
      const buyer = pick(users);
      if (!presaleId || !buyer) return;
      const answer = record('mint', await paying(buyer, () => call(buyer, 'POST', `/presale/${presaleId}/purchase`, { quantity: 1 })));
      if (answer.status !== 201) return;
      const collectionId = presaleCollections.get(presaleId)!;
      // The traits a mint draws are a function of the NFT id and the collection's table.
      for (const nftId of answer.body.nftIds as string[]) free.set(nftId, { nftId, owner: buyer, collectionId, attributes: assignAttributes({ traits: tables.get(collectionId)! }, nftId) });
    }],
  ];
  const started = await runWeighted(operations, options.trades, options.workers, random, () => undefined);
  return { trades: started, outcomes, serverErrors };
}

function inMinutes(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString();
}
