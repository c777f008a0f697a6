import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';

/**
 * Sets figures on an aggregate item (a collection, a trait value) that `read` takes from elsewhere, unless a later
 * read already wrote its own: `asOfField` holds when the written figures were read, and `read` is given that
 * instant (what it counts as open or unexpired, it judges at that instant).
 */
export async function writeNewerRead(key: { pk: string; sk: string }, asOfField: string, read: (readAt: string) => Promise<Record<string, unknown>>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const readAt = new Date().toISOString();
    const figures = await read(readAt);
    const names = Object.keys(figures);
    try {
      await db.send(new UpdateCommand({
        TableName: tableName(), Key: key,
        UpdateExpression: `SET ${[...names, asOfField].map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(#${asOfField}) OR #${asOfField} <= :${asOfField})`,
        ExpressionAttributeNames: Object.fromEntries([...names, asOfField].map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: Object.fromEntries([
          ...names.map((name) => [`:${name}`, figures[name]]), [`:${asOfField}`, readAt],
        ]),
      }));
      return;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ConditionalCheckFailedException') return; // a newer read already wrote its figures
      // Another aggregator's transaction holds the item: read again after it.
      if (name !== 'TransactionConflictException' || attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
    }
  }
}
