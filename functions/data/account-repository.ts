import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, Topup } from '../domain/accounts.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import { queryPage, type Item, type Page, type PageRequest } from './paged-query.js';

export function toAccount(item: Item): Account {
  return {
    userId: item.userId as string,
    balance: item.balance as number,
    held: item.held as number,
    updatedAt: item.updatedAt as string,
  };
}

export function toTopup(item: Item): Topup {
  return {
    topupId: item.topupId as string,
    amount: item.amount as number,
    status: 'completed',
    createdAt: item.createdAt as string,
  };
}

export async function findAccount(userId: string): Promise<Account | null> {
  const output = await db.send(new GetCommand({ TableName: tableName(), Key: keys.account(userId) }));
  return output.Item ? toAccount(output.Item) : null;
}

export async function listTopups(userId: string, page: PageRequest): Promise<Page<Topup>> {
  const result = await queryPage(
    { partition: keys.account(userId).pk, range: { op: 'begins_with', value: keys.topupPrefix }, forward: false },
    page,
  );
  return { items: result.items.map(toTopup), nextCursor: result.nextCursor };
}
