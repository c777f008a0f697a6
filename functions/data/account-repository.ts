import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { emptyAccount, type Account } from '../domain/accounts.js';
import type { PaidTopup } from '../domain/payments.js';
import { toPaidTopup } from './payment-repository.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import { saturated } from './stored-numbers.js';
import { mapPage, queryPage, type Item, type Page, type PageRequest } from './paged-query.js';

export function toAccount(item: Item): Account {
  return {
    userId: item.userId as string,
    balance: item.balance as number,
    held: item.held as number,
    updatedAt: item.updatedAt as string,
  };
}

/**
 * The account as its owner sees it: the stored balance plus every credit not yet added to it (one Query:
 * pending credits sort right after the account), so a sale shows in the seller's balance at once. Strongly
 * consistent, so it shows every write acknowledged before it; a Query is only read-committed against the
 * transaction that applies credits, though (docs/guarantees.md, "What GET /accounts can show").
 */
export async function findAccount(userId: string): Promise<Account | null> {
  const found = await readAccountWithCredits(userId, true);
  if (!found.account && found.credits.length === 0) return null;
  const account = found.account ? toAccount(found.account) : emptyAccount(userId);
  for (const credit of found.credits) {
    account.balance += credit.balanceDelta as number;
    account.held += credit.heldDelta as number;
  }
  // Exact unless credits pile up past 2^53 - 1 (docs/data-model.md, "Numbers stay exact").
  account.balance = saturated(account.balance, { userId, figure: 'balance' });
  account.held = saturated(account.held, { userId, figure: 'held' });
  return account;
}

/** The account item and its pending credits, in key order (consistent when a debit depends on it). */
export async function readAccountWithCredits(userId: string, consistent: boolean, limit?: number): Promise<{ account: Item | null; credits: Item[] }> {
  const { from, to } = keys.accountWithCredits;
  const found: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const output = await db.send(new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.account(userId).pk, ':from': from, ':to': to },
      ConsistentRead: consistent,
      ExclusiveStartKey: start,
      ...(limit ? { Limit: limit } : {}),
    }));
    found.push(...(output.Items ?? []));
    start = limit ? undefined : output.LastEvaluatedKey;
  } while (start);
  const account = found.find((item) => item.sk === keys.account(userId).sk) ?? null;
  return { account, credits: found.filter((item) => item.entity === 'credit') };
}

/** Up to `limit` of a user's pending credits (the credits alone, in key order, which is random). */
export async function readPendingCredits(userId: string, limit: number): Promise<Item[]> {
  const output = await db.send(new QueryCommand({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :credit)',
    ExpressionAttributeValues: { ':pk': keys.account(userId).pk, ':credit': keys.creditPrefix },
    Limit: limit,
  }));
  return output.Items ?? [];
}

export async function listTopups(userId: string, page: PageRequest): Promise<Page<PaidTopup>> {
  const result = await queryPage(
    { partition: keys.account(userId).pk, range: { op: 'begins_with', value: keys.topupPrefix }, forward: false },
    page,
  );
  return mapPage(result, toPaidTopup);
}
