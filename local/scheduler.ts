/**
 * The local stand-in for the EventBridge schedules of lib/jobs.ts (lib/scheduled-jobs.ts deploys them): each
 * job's handler is invoked on its `rate(...)` schedule with the event EventBridge sends ("Scheduled Event",
 * source `aws.events`, the rule's ARN in `resources`) and a Lambda context with the job's timeout, as an
 * asynchronous invocation without retries (the stack's `retryAttempts: 0`). An invocation that throws or
 * runs past its timeout goes to the on-failure destination: here an in-memory list of Lambda's destination
 * records (condition, event, error). As with the first run after a rule is created, a job first runs one
 * period after the start. One run of a job at a time: a run still going when the next is due (possible only
 * with a period shorter than the timeout, `everyMs`) makes that one be skipped, as the job's reserved
 * concurrency of 1 would throttle it. `cron(...)` schedules are not supported (none is used).
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import type { Job } from '../lib/jobs.js';
import { lambdaContext, loadJobHandler, type JobHandler } from './handler-loader.js';

/** The period of a `rate(N unit)` schedule expression, in milliseconds. */
export function rateMs(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  const value = Number(match?.[1]);
  // As EventBridge: `rate(1 minute)`, `rate(5 minutes)`; not `rate(1 minutes)` or `rate(5 minute)`.
  if (!match || value < 1 || (value === 1) === (match[3] === 's')) {
    throw new Error(`${expression}: the local scheduler runs rate(N minute[s]|hour[s]|day[s]) schedules only`);
  }
  return value * { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[match[2] as 'minute' | 'hour' | 'day'];
}

const account = '000000000000';
const region = () => process.env.AWS_REGION ?? 'us-east-1';

/** What EventBridge hands a scheduled rule's target: `time` is the schedule's time, to the second. */
export function scheduledEvent(job: Pick<Job, 'id'>, at: Date): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: `${at.toISOString().slice(0, 19)}Z`,
    region: region(),
    resources: [`arn:aws:events:${region()}:${account}:rule/${job.id}Schedule`],
    detail: {},
  };
}

/** The context a job's invocation gets: its function name and timeout. */
export const jobContext = (job: Pick<Job, 'id' | 'timeoutSeconds'>) => lambdaContext(job.id, randomUUID(), job.timeoutSeconds * 1000);

/** Lambda's on-failure destination record of an asynchronous invocation (without the function's ARN and version). */
interface JobFailure {
  jobId: string;
  requestContext: { requestId: string; condition: 'RetriesExhausted'; approximateInvokeCount: number };
  requestPayload: ScheduledEvent;
  responsePayload: { errorType: string; errorMessage: string };
  timestamp: string;
}

interface JobRun {
  jobId: string;
  event: ScheduledEvent;
  startedAt: string;
  durationMs: number;
  outcome: 'succeeded' | 'failed';
  /** What the handler returned, or the error it failed with. */
  result: unknown;
}

export interface Scheduler {
  /** Every job and its period here. */
  schedules: ReadonlyArray<{ jobId: string; everyMs: number }>;
  /** The last 100 runs, oldest first. */
  runs(): JobRun[];
  failures(): JobFailure[];
  stop(): Promise<void>;
}

interface SchedulerOptions {
  /** Jobs (their handler module loaded as Lambda loads it), or explicit job and handler pairs. */
  jobs: ReadonlyArray<Job | { job: Job; handler: JobHandler }>;
  /** Replaces every job's period (tests: a few hundred ms). */
  everyMs?: number;
  log?: (line: string) => void;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const log = options.log ?? ((line: string) => console.warn(line));
  const entries = options.jobs.map((entry) => ('job' in entry
    ? { job: entry.job, handler: Promise.resolve(entry.handler) }
    : { job: entry, handler: loadJobHandler(entry.handler) }));
  for (const entry of entries) entry.handler.catch(() => undefined); // a module that fails to load fails each run
  const runs: JobRun[] = [];
  const failures: JobFailure[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  async function invoke(job: Job, handler: Promise<JobHandler>, at: Date): Promise<void> {
    const event = scheduledEvent(job, at);
    const context = jobContext(job);
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let outcome: JobRun['outcome'] = 'succeeded';
    let result: unknown;
    try {
      const call = handler.then((run) => run(event, context));
      call.catch(() => undefined); // after a timeout it runs on, as it would in Lambda until frozen; its outcome no longer matters
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`Task timed out after ${job.timeoutSeconds} seconds`), { name: 'Sandbox.Timedout' })),
          job.timeoutSeconds * 1000);
      });
      result = await Promise.race([call, timeout]);
    } catch (error) {
      outcome = 'failed';
      result = error;
      const errorType = (error as Error)?.name ?? 'Error';
      const errorMessage = (error as Error)?.message ?? String(error);
      failures.push({
        jobId: job.id,
        requestContext: { requestId: context.awsRequestId, condition: 'RetriesExhausted', approximateInvokeCount: 1 },
        requestPayload: event,
        responsePayload: { errorType, errorMessage },
        timestamp: new Date().toISOString(),
      });
      log(`scheduler: ${job.id} failed (${errorType}: ${errorMessage}); sent to its on-failure destination`);
    } finally {
      clearTimeout(timer);
    }
    runs.push({ jobId: job.id, event, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, outcome, result });
    if (runs.length > 100) runs.shift();
  }

  const schedules = entries.map(({ job, handler }) => {
    const everyMs = options.everyMs ?? rateMs(job.schedule);
    const startedAt = Date.now();
    let busy = false;
    let tick = 0;
    const next = () => {
      if (stopped) return;
      tick += 1;
      // Due times stay on the grid of the start, however long a run takes.
      const timer = setTimeout(() => {
        timers.delete(timer);
        const due = new Date(startedAt + tick * everyMs);
        next();
        if (busy) {
          log(`scheduler: ${job.id} is still running; the run due at ${due.toISOString()} is skipped`);
          return;
        }
        busy = true;
        const running = invoke(job, handler, due).finally(() => {
          busy = false;
          inFlight.delete(running);
        });
        inFlight.add(running);
      }, Math.max(0, startedAt + tick * everyMs - Date.now()));
      timers.add(timer);
    };
    next();
    return { jobId: job.id, everyMs };
  });

  return {
    schedules,
    runs: () => [...runs],
    failures: () => [...failures],
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // A run still going is not waited for past a moment (Lambda would freeze it).
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    },
  };
}
