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
 * pending credits sort right after the account), so a sale shows in the seller's balance at once.
 */
export async function findAccount(userId: string): Promise<Account | null> {
  const found = await readAccountWithCredits(userId, false);
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

/** The account item and its pending credits, oldest first (consistent when a debit depends on it). */
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

export async function listTopups(userId: string, page: PageRequest): Promise<Page<PaidTopup>> {
  const result = await queryPage(
    { partition: keys.account(userId).pk, range: { op: 'begins_with', value: keys.topupPrefix }, forward: false },
    page,
  );
  return mapPage(result, toPaidTopup);
}
