import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, any>;

/** Every item in the table (test code only: request paths never scan). */
export async function scanTable(doc: DynamoDBDocumentClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A canonical text for a value: object keys sorted at every level, so equal items compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Set) return `Set${canonical([...value].map(canonical).sort())}`;
  if (value && typeof value === 'object') {
    const record = value as Item;
    return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Every item of the table, canonical and sorted: proves a rejected request wrote nothing. */
export async function tableSnapshot(doc: DynamoDBDocumentClient, tableName: string): Promise<string[]> {
  return (await scanTable(doc, tableName)).map(canonical).sort();
}

export interface Audit {
  problems: string[];
  totals: { topups: number; balances: number; held: number; platformFees: number };
}

/**
 * The marketplace's invariants, checked over the whole table:
 * money is conserved (balances + held + fees = top-ups), every held amount backs an open offer or a top
 * bid, every NFT has exactly one owner that the holder counts agree with, and collection stats and
 * floors match the listings.
 */
export async function auditTable(doc: DynamoDBDocumentClient, tableName: string): Promise<Audit> {
  const items = await scanTable(doc, tableName);
  const of = (entity: string) => items.filter((i) => i.entity === entity);
  const problems: string[] = [];
  const accounts = of('account');
  const isPlatform = (a: Item) => (a.userId as string).startsWith('~platform-');
  const totals = {
    topups: of('topup').reduce((s, t) => s + t.amount, 0),
    balances: accounts.filter((a) => !isPlatform(a)).reduce((s, a) => s + a.balance, 0),
    held: accounts.reduce((s, a) => s + a.held, 0),
    platformFees: accounts.filter(isPlatform).reduce((s, a) => s + a.balance, 0),
  };
  if (totals.balances + totals.held + totals.platformFees !== totals.topups) {
    problems.push(`money: balances ${totals.balances} + held ${totals.held} + fees ${totals.platformFees} != top-ups ${totals.topups}`);
  }
  for (const account of accounts) {
    if (account.balance < 0 || account.held < 0 || !Number.isInteger(account.balance) || !Number.isInteger(account.held)) {
      problems.push(`account ${account.userId} balance ${account.balance} held ${account.held}`);
    }
  }

  const expectedHeld = new Map<string, number>();
  const hold = (user: string, amount: number) => expectedHeld.set(user, (expectedHeld.get(user) ?? 0) + amount);
  for (const offer of of('offer')) if (offer.status === 'open') hold(offer.buyer, offer.amount);
  for (const auction of of('auction')) if (!auction.settledAt && auction.highestBidder) hold(auction.highestBidder, auction.highestBid);
  for (const account of accounts) {
    if ((expectedHeld.get(account.userId) ?? 0) !== account.held) {
      problems.push(`held: ${account.userId} holds ${account.held}, open offers and top bids say ${expectedHeld.get(account.userId) ?? 0}`);
    }
  }

  const nfts = of('nft');
  const holdings = new Map<string, number>();
  for (const nft of nfts) {
    if (typeof nft.owner !== 'string' || nft.gsi1pk !== `OWNER#${nft.owner}`) problems.push(`nft ${nft.nftId} owner ${nft.owner} index ${nft.gsi1pk}`);
    holdings.set(`${nft.collectionId}|${nft.owner}`, (holdings.get(`${nft.collectionId}|${nft.owner}`) ?? 0) + 1);
  }
  for (const holder of of('holder')) {
    const key = `${holder.pk.slice('COLLECTION#'.length)}|${holder.sk.slice('HOLDER#'.length)}`;
    if ((holdings.get(key) ?? 0) !== holder.count) problems.push(`holder ${key}: count ${holder.count}, owns ${holdings.get(key) ?? 0}`);
    holdings.delete(key);
  }
  for (const [key, count] of holdings) problems.push(`holder ${key}: owns ${count} with no holder record`);

  const activeListings = of('listing').filter((l) => l.status === 'active');
  const nftById = new Map(nfts.map((n) => [n.nftId, n]));
  for (const listing of activeListings) {
    const nft = nftById.get(listing.nftId);
    if (nft?.listingId !== listing.listingId || nft?.owner !== listing.seller) problems.push(`listing ${listing.listingId} not held by its NFT/seller`);
  }
  for (const auction of of('auction').filter((a) => !a.settledAt)) {
    const nft = nftById.get(auction.nftId);
    if (nft?.auctionId !== auction.auctionId || nft?.owner !== auction.seller) problems.push(`auction ${auction.auctionId} not held by its NFT/seller`);
  }
  for (const nft of nfts) {
    if (nft.listingId && !activeListings.some((l) => l.listingId === nft.listingId)) problems.push(`nft ${nft.nftId} points at closed listing ${nft.listingId}`);
  }
  for (const collection of of('collection')) {
    const listed = activeListings.filter((l) => l.collectionId === collection.collectionId);
    const floor = listed.reduce((best: Item | null, l) => (best === null || l.price < best.price ? l : best), null);
    if (collection.listedCount !== listed.length) problems.push(`collection ${collection.collectionId}: listedCount ${collection.listedCount}, active ${listed.length}`);
    if ((collection.floorPrice ?? null) !== (floor?.price ?? null)) problems.push(`collection ${collection.collectionId}: floor ${collection.floorPrice}, cheapest ${floor?.price ?? null}`);
    const owners = new Set(nfts.filter((n) => n.collectionId === collection.collectionId).map((n) => n.owner)).size;
    if (collection.owners !== owners) problems.push(`collection ${collection.collectionId}: owners ${collection.owners}, distinct ${owners}`);
  }
  const priceEntries = of('price-entry').map((p) => p.listingId).sort();
  const activeIds = activeListings.map((l) => l.listingId).sort();
  if (JSON.stringify(priceEntries) !== JSON.stringify(activeIds)) problems.push('price entries differ from active listings');
  return { problems, totals };
}
