import type { OwnedNft } from '../domain/catalog.js';
import { indexPartitions } from './keys.js';
import { mapPage, queryPage, type Item, type Page, type PageRequest } from './paged-query.js';

export function toOwnedNft(item: Item): OwnedNft {
  return {
    nftId: item.nftId as string,
    collectionId: item.collectionId as string,
    name: item.name as string,
    image: item.image as string,
    listingId: (item.listingId as string | null) ?? null,
    auctionId: (item.auctionId as string | null) ?? null,
    attributes: (item.attributes as OwnedNft['attributes'] | undefined) ?? [],
  };
}

/** The owner index orders a user's NFTs by collection, so one collection is a key prefix. */
export async function listOwnedNfts(owner: string, collectionId: string | undefined, page: PageRequest): Promise<Page<OwnedNft>> {
  const result = await queryPage(
    {
      index: 'gsi1',
      partition: indexPartitions.owner(owner),
      ...(collectionId ? { range: { op: 'begins_with' as const, value: `${collectionId}#` } } : {}),
      forward: true,
    },
    page,
  );
  return mapPage(result, toOwnedNft);
}
