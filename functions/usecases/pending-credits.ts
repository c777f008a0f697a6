import { InsufficientFundsError } from '../domain/trading-errors.js';
import { readAccountWithCredits, readPendingCredits } from '../data/account-repository.js';
import { tableName } from '../data/client.js';
import { keys } from '../data/keys.js';
import { accountUpdate } from '../data/trade-writes.js';
import { transact, withOptimisticRetry } from '../data/transactions.js';

/** Credits per transaction: each is deleted, plus the account update and one ledger entry (≤ 100 items). */
const creditsPerTransaction = 98;

/**
 * Adds a user's pending credits to their account, each exactly once: one transaction deletes the credits
 * (on condition they still exist), adds their sum to the account and writes one ledger entry naming them.
 * Whoever applies a credit first wins; a concurrent applier's transaction is cancelled and reads again.
 * Returns how many credits this call applied.
 */
export async function applyPendingCredits(userId: string, now: Date): Promise<number> {
  let applied = 0;
  for (;;) {
    const count = await withOptimisticRetry(async () => {
      const { credits } = await readAccountWithCredits(userId, true, creditsPerTransaction + 1);
      const batch = credits.slice(0, creditsPerTransaction);
      if (batch.length === 0) return 0;
      await transact([
        ...batch.map((credit) => ({
          item: { Delete: { TableName: tableName(), Key: keys.credit(userId, credit.creditId as string), ConditionExpression: 'attribute_exists(pk)' } },
          onConditionFailed: 'stale' as const,
        })),
        ...accountUpdate(userId, [{
          kind: 'credits',
          reference: batch.map((credit) => `${credit.kind as string}:${credit.reference as string}`).join(' '),
          delta: {
            balance: batch.reduce((sum, credit) => sum + (credit.balanceDelta as number), 0),
            held: batch.reduce((sum, credit) => sum + (credit.heldDelta as number), 0),
          },
        }], now.toISOString()),
      ]);
      return batch.length;
    }, 10);
    applied += count;
    if (count < creditsPerTransaction) return applied;
  }
}

/** The aggregator applies a payee's credits once this many are pending (a well-filled transaction)... */
const dueCount = 25;
/** ...or once the oldest has waited this long. Either way `GET /accounts` already counts them. */
const dueAfterMs = 60_000;

/**
 * The stream aggregator's rule: apply a payee's credits when they are due, not at every batch, so a busy
 * payee (a creator in a drop, a fee account) takes one account transaction per ~25 credits, not one per
 * batch. Nothing waits on it: balances include pending credits, and a debit that needs them applies them.
 * One Query of the credits alone, at most `dueCount` of them: `dueCount` back means due; fewer is all of them
 * (their keys are random, so the oldest is found among them all).
 */
export async function applyPendingCreditsWhenDue(userId: string, now: Date): Promise<number> {
  const credits = await readPendingCredits(userId, dueCount);
  if (credits.length === 0) return 0;
  const oldest = Math.min(...credits.map((credit) => Date.parse(credit.at as string)));
  if (credits.length < dueCount && now.getTime() - oldest < dueAfterMs) return 0;
  return applyPendingCredits(userId, now);
}

/** Rounds of "refused for want of funds, credits pending, apply them, try again" one debit may take. */
const fundingRounds = 4;

/**
 * Runs a trade that debits `payer`; if it fails for want of funds while the balance and the payer's pending
 * credits (a sale's proceeds the aggregator has not added yet) together cover what the debit needs, adds the
 * credits and runs the trade again. Another request (a concurrent debit of the same payer, the aggregator)
 * may have added them meanwhile: then there is nothing left to add, the balance covers the debit, and the
 * trade runs again all the same. A request refused either way is refused without writing anything. (A
 * concurrent debit between the check and the retry can still leave the credits applied and the request
 * refused; that moves money from pending to the balance, which changes no figure a client sees.)
 */
export async function withPendingCreditsApplied<T>(payer: string, now: Date, trade: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await trade();
    } catch (error) {
      if (!(error instanceof InsufficientFundsError) || round >= fundingRounds) throw error;
      const { account, credits } = await readAccountWithCredits(payer, true);
      const pending = credits.reduce((sum, credit) => sum + (credit.balanceDelta as number), 0);
      if (((account?.balance as number | undefined) ?? 0) + pending < error.needed) throw error;
      if (credits.length > 0) await applyPendingCredits(payer, now);
    }
  }
}
