import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Job } from './jobs.js';
import { MarketplaceFunction } from './marketplace-function.js';
import { OnFailureQueue } from './on-failure-queue.js';
import type { StageConfig } from './stage-config.js';

export interface ScheduledJob {
  job: Job;
  handler: MarketplaceFunction;
  rule: Rule;
  /** Where Lambda sends a failed run: the scheduled event and the error, which names the items that failed. */
  failureQueue: Queue;
}

/** An EventBridge schedule, a function and an on-failure queue per job. */
export class ScheduledJobs extends Construct {
  readonly jobs: ScheduledJob[];

  constructor(scope: Construct, id: string, props: { config: StageConfig; table: ITable; jobs: readonly Job[] }) {
    super(scope, id);
    const { config, table } = props;
    this.jobs = props.jobs.map((job) => {
      const handler = new MarketplaceFunction(this, job.id, {
        handler: job.handler,
        access: job.access,
        description: `${job.schedule}: ${job.summary}`.slice(0, 256),
        table,
        config,
        timeout: Duration.seconds(job.timeoutSeconds),
        reservedConcurrentExecutions: config.reservedConcurrency.jobs,
      });
      const rule = new Rule(this, `${job.id}Schedule`, {
        schedule: Schedule.expression(job.schedule),
        description: job.summary,
      });
      // A failed or throttled run is not retried or queued: the next scheduled run picks up the same due
      // work, and a backlog of runs must not pile up behind the reserved concurrency. A run that failed on
      // items (it finishes the rest first, functions/usecases/due-work.ts), timed out, or was throttled past
      // its event age goes to the on-failure queue, which is alarmed on.
      const failureQueue = new OnFailureQueue(this, `${job.id}Failures`);
      rule.addTarget(new LambdaFunction(handler.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }));
      handler.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1), onFailure: new SqsDestination(failureQueue) });
      return { job, handler, rule, failureQueue };
    });
  }
}
