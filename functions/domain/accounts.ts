export interface Account {
  userId: string;
  /** Spendable minor units. */
  balance: number;
  /** Minor units reserved by open offers and top bids. */
  held: number;
  updatedAt: string | null;
}

/** A verified user who never funded an account has one: empty. */
export function emptyAccount(userId: string): Account {
  return { userId, balance: 0, held: 0, updatedAt: null };
}
