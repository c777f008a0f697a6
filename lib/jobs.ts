import { existsSync } from 'node:fs';
import { handlerEntry } from './bundling.js';
import { projectPath } from './project-paths.js';

/** A scheduled Lambda: same bundling and defaults as the route functions, triggered by EventBridge. */
export interface Job {
  /** Stable identifier: the function's logical name. */
  id: string;
  /** Handler module under functions/handlers/, without extension; it exports `handler`. */
  handler: string;
  /** EventBridge schedule expression: `rate(...)` or `cron(...)`. */
  schedule: string;
  /** Read jobs get read-only table access. */
  access: 'read' | 'write';
  /** Must end before the next run starts, so one run never overlaps the next. */
  timeoutSeconds: number;
  summary: string;
}

export const jobs: readonly Job[] = [
  {
    id: 'settleEndedAuctions', handler: 'jobs/settle-auctions', schedule: 'rate(1 minute)', access: 'write',
    timeoutSeconds: 50, summary: 'Settles auctions whose end has passed: NFT to the winner, funds to the seller',
  },
  {
    id: 'expireOffers', handler: 'jobs/expire-offers', schedule: 'rate(1 minute)', access: 'write',
    timeoutSeconds: 50, summary: 'Expires open offers past their expiry and returns the held funds',
  },
  {
    id: 'refreshMarketWindows', handler: 'jobs/refresh-market-windows', schedule: 'rate(1 hour)', access: 'write',
    timeoutSeconds: 300, summary: "Recomputes collections' 1d/7d/30d volume and sales windows and records floors in the history",
  },
];

/**
 * The jobs whose handler file exists. A job is listed here before its handler lands (the trading work
 * adds it), so the stack synthesizes before and after without an edit.
 */
export function deployableJobs(list: readonly Job[] = jobs, exists: (path: string) => boolean = existsSync): Job[] {
  return list.filter((job) => exists(projectPath(handlerEntry(job.handler))));
}
