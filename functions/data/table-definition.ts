/**
 * The single DynamoDB table: key attributes and global secondary indexes.
 * Read by the CDK stack, DynamoDB Local set-up and the tests, so all three build the same table.
 * Each GSI is overloaded across entity types; docs/data-model.md lists what lives in which.
 */
export const tableKeys = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const indexNames = ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'] as const;
export type IndexName = (typeof indexNames)[number];

export const indexKeys: Record<IndexName, { partitionKey: string; sortKey: string }> = {
  gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  gsi3: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  gsi4: { partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  /** Due work: open offers by expiry, unsettled auctions by end (both sparse). */
  gsi5: { partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
};

/** Epoch seconds after which DynamoDB TTL may delete the item (the stream aggregator's markers). */
export const ttlAttribute = 'ttl';

/** What the table's stream records carry: the consumers of functions/stream-consumers.ts read both images. */
export const streamViewType = 'NEW_AND_OLD_IMAGES' as const;

/**
 * The idempotency table: Powertools records (functions/data/idempotency-store.ts), one item per request key,
 * each its own partition key, so no key takes more than its own retries. Expired records go by TTL.
 */
export const idempotencyTableKeys = { partitionKey: 'id', ttlAttribute: 'expiration' } as const;
