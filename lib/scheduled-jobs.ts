import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { Job } from './jobs.js';
import { MarketplaceFunction } from './marketplace-function.js';
import type { StageConfig } from './stage-config.js';

export interface ScheduledJob {
  job: Job;
  handler: MarketplaceFunction;
  rule: Rule;
}

/** An EventBridge schedule and a function per job. */
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
      // work, and a backlog of runs must not pile up behind the reserved concurrency.
      rule.addTarget(new LambdaFunction(handler.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }));
      handler.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
      return { job, handler, rule };
    });
  }
}
