/** The most NFTs one sweep buys. */
export const maxSweepItems = 50;
/** The most listings one batch creates or cancels. */
export const maxBatchItems = 50;
/**
 * Items of a batch in flight at once: distinct NFTs and listings share no item, so they do not conflict; this
 * bounds the burst one request makes on DynamoDB and keeps 50 items to ~7 rounds of a single create's latency.
 */
export const batchParallelism = 8;
