import {
  CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { idempotencyTableKeys, indexKeys, indexNames, streamViewType, tableKeys } from '../functions/data/table-definition.js';

/**
 * Creates the marketplace table exactly as the CDK stack defines it (same keys, same GSIs, same stream).
 * `stream: false` leaves the stream out, for a table filled before ensureStream turns it on: in DynamoDB Local
 * every write to a stream-enabled table takes time in proportion to the stream records its database (one per
 * access key) got before the table's shard began, in any table, deleted ones too, for 24 hours.
 */
export async function createTable(client: DynamoDBClient, tableName: string, options: { stream?: boolean } = {}): Promise<void> {
  const attributeNames = [
    tableKeys.partitionKey, tableKeys.sortKey,
    ...indexNames.flatMap((name) => [indexKeys[name].partitionKey, indexKeys[name].sortKey]),
  ];
  await client.send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeNames.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexNames.map((IndexName) => ({
      IndexName,
      KeySchema: [
        { AttributeName: indexKeys[IndexName].partitionKey, KeyType: 'HASH' },
        { AttributeName: indexKeys[IndexName].sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    ...(options.stream === false ? {} : { StreamSpecification: { StreamEnabled: true, StreamViewType: streamViewType } }),
  }));
}

/** The idempotency table as the stack defines it: one key, `id`, a partition per record. */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: idempotencyTableKeys.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: idempotencyTableKeys.partitionKey, KeyType: 'HASH' }],
  }));
}

/** The table's stream ARN; turns the stream on if the table has none (created without, or kept in a --data-dir). */
export async function ensureStream(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.StreamSpecification?.StreamEnabled && Table.LatestStreamArn) return Table.LatestStreamArn;
  const updated = await client.send(new UpdateTableCommand({
    TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: streamViewType },
  }));
  const arn = updated.TableDescription?.LatestStreamArn;
  if (!arn) throw new Error(`DynamoDB gave table ${tableName} no stream`);
  return arn;
}

export async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
}

/**
 * The credentials the handlers use too (their SDK reads the environment): DynamoDB Local keeps a separate
 * database per access key, so every client of one marketplace must sign with the same one.
 */
export function localCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local' };
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: localCredentials() });
}
