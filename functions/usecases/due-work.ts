import { jobRetryAt } from '../domain/job-retries.js';
import { deferDueItem, readDue } from '../data/due-work.js';
import type { Item } from '../data/paged-query.js';
import { logger } from '../observability/logger.js';
import { countJobItemFailure } from '../observability/metrics.js';

/** How a scheduled job run went: items done and skipped (closed by someone else meanwhile), and the ids it failed on. */
interface DueRun {
  done: number;
  skipped: number;
  failed: string[];
  /** Due items this run left for the next one, to end before its timeout. */
  leftForNextRun: number;
}

export interface DueRunOptions {
  /** The job's id (lib/jobs.ts): the `job` dimension of the JobItemFailures metric and a field of each log line. */
  job: string;
  /** Items read per run (the oldest due first). */
  limit?: number;
  /** The invocation's time left (Lambda's getRemainingTimeInMillis): no item is started within `reserveMs` of the end. */
  timeLeftMs?: () => number;
}

/** No item is started with less time than this left: the worst single item (a trade's retries) fits in it. */
const reserveMs = 10_000;

/**
 * Works through a due-work partition, oldest first, one item at a time. An item that fails is logged with
 * its id and error, counted (JobItemFailures), and moved back in the due index (`jobRetryAt`), and the run
 * goes on: one bad item never blocks the items due behind it, this run or the next.
 */
export async function workThroughDue(
  partition: string, idOf: (item: Item) => string, now: Date, options: DueRunOptions,
  work: (item: Item) => Promise<'done' | 'skipped'>,
): Promise<DueRun> {
  const at = now.toISOString();
  const due = await readDue(partition, at, options.limit ?? 100);
  const run: DueRun = { done: 0, skipped: 0, failed: [], leftForNextRun: 0 };
  for (const [index, item] of due.entries()) {
    if (options.timeLeftMs && options.timeLeftMs() < reserveMs) {
      run.leftForNextRun = due.length - index;
      logger.warn('job run out of time: the rest is left for the next run', { job: options.job, left: run.leftForNextRun });
      break;
    }
    const id = idOf(item);
    try {
      run[await work(item)] += 1;
    } catch (error) {
      run.failed.push(id);
      countJobItemFailure(options.job);
      const failures = ((item.jobFailures as number | undefined) ?? 0) + 1;
      const retryAt = jobRetryAt(failures, now);
      logger.error('job item failed; retried later', { job: options.job, itemId: id, failures, retryAt, error: error as Error });
      try {
        await deferDueItem(item, id, retryAt, `${(error as Error)?.name}: ${(error as Error)?.message}`, at);
      } catch (deferError) {
        logger.error('job item failed and could not be moved back; it stays due', { job: options.job, itemId: id, error: deferError as Error });
      }
    }
  }
  return run;
}

/** What the job's invocation fails with when items failed: Lambda sends it, with the event, to the on-failure destination. */
class JobItemsFailedError extends Error {
  constructor(job: string, failed: string[]) {
    super(`${job}: ${failed.length} due item(s) failed and will be retried after a backoff (each is logged with its error): ${failed.join(', ')}`);
    this.name = 'JobItemsFailedError';
  }
}

/** Ends a run that finished the rest but failed on some items as a failed invocation (see JobItemsFailedError). */
export function throwIfItemsFailed(job: string, run: { failed: string[] }): void {
  if (run.failed.length > 0) throw new JobItemsFailedError(job, run.failed);
}
