import { jobs } from '../../lib/jobs.js';
import { jobContext, scheduledEvent } from '../../local/scheduler.js';

/**
 * What a scheduled job's handler is invoked with, as the local scheduler invokes it: an EventBridge
 * scheduled event and a Lambda context with the job's timeout. `jobId` is its id in lib/jobs.ts.
 */
export function jobInvocation(jobId: string) {
  const job = jobs.find((candidate) => candidate.id === jobId);
  if (!job) throw new Error(`no job ${jobId} in lib/jobs.ts`);
  return [scheduledEvent(job, new Date()), jobContext(job)] as const;
}
