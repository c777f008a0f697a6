import {
  CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { indexKeys, indexNames, tableKeys } from '../functions/data/table-definition.js';

/** Creates the marketplace table exactly as the CDK stack defines it (same keys, same GSIs). */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
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
  }));
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

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint, region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
