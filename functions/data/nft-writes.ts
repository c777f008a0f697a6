import { tableName } from './client.js';
import { indexKeysFor, keys } from './keys.js';
import type { NftRecord } from './trade-reads.js';
import type { GuardedWrite } from './transactions.js';

/**
 * Moves an NFT to a new owner and clears its listing or auction, on condition that it is still where the
 * trade found it (same owner, same listing/auction).
 */
export function transferNft(
  nft: NftRecord, to: string, via: { listingId: string } | { auctionId: string } | 'unlisted', onConditionFailed: GuardedWrite['onConditionFailed'],
): GuardedWrite {
  const values: Record<string, unknown> = {
    ':from': nft.owner, ':to': to, ':ownerKey': indexKeysFor.nftOwner({ ...nft, owner: to }).gsi1pk, ':null': null,
  };
  let condition = '#owner = :from';
  if (via === 'unlisted') {
    condition += ' AND attribute_type(listingId, :nullType) AND attribute_type(auctionId, :nullType)';
    values[':nullType'] = 'NULL';
  }
  else if ('listingId' in via) { condition += ' AND listingId = :via'; values[':via'] = via.listingId; }
  else { condition += ' AND auctionId = :via'; values[':via'] = via.auctionId; }
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.nft(nft.nftId),
        UpdateExpression: 'SET #owner = :to, gsi1pk = :ownerKey, listingId = :null, auctionId = :null',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: values,
      },
    },
    onConditionFailed,
  };
}

/** Marks an NFT as in a listing or auction, if its owner still holds it and it is in neither. */
export function reserveNft(nft: NftRecord, field: 'listingId' | 'auctionId', value: string): GuardedWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.nft(nft.nftId),
        UpdateExpression: `SET ${field} = :value`,
        ConditionExpression: '#owner = :owner AND attribute_type(listingId, :nullType) AND attribute_type(auctionId, :nullType)',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':value': value, ':owner': nft.owner, ':nullType': 'NULL' },
      },
    },
    onConditionFailed: 'stale',
  };
}

/** Clears an NFT's listing or auction, if it is still that one. */
export function releaseNft(nftId: string, field: 'listingId' | 'auctionId', value: string): GuardedWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.nft(nftId),
        UpdateExpression: `SET ${field} = :null`,
        ConditionExpression: `${field} = :value`,
        ExpressionAttributeValues: { ':value': value, ':null': null },
      },
    },
    onConditionFailed: 'stale',
  };
}
