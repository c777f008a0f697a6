// Scheduled jobs: a function, an EventBridge rule and an alarmed on-failure queue for each job whose handler exists.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { handlerEntry } from '../../lib/bundling.js';
import { deployableJobs, type Job, jobs } from '../../lib/jobs.js';
import { projectPath } from '../../lib/project-paths.js';
import { stageConfigs } from '../../lib/stage-config.js';
import { failureQueueOutputKey } from '../../lib/marketplace-stack.js';
import { referencedId, resource, resources, roleActions, stage, synthStage } from './support/synth.js';

const present: Job = {
  id: 'presentJob', handler: 'system/not-found', schedule: 'rate(5 minutes)', access: 'read', timeoutSeconds: 40, summary: 'test job',
};
const missing: Job = {
  id: 'missingJob', handler: 'jobs/does-not-exist', schedule: 'rate(1 minute)', access: 'write', timeoutSeconds: 50, summary: 'test job',
};

test('only jobs whose handler file exists are deployed', () => {
  assert.deepEqual(deployableJobs([present, missing]).map((job) => job.id), ['presentJob']);
  assert.deepEqual(deployableJobs([present, missing], () => false), []);
  assert.deepEqual(deployableJobs([present, missing], () => true).map((job) => job.id), ['presentJob', 'missingJob']);
});

test('the settlement job is listed, every minute, with write access', () => {
  const settle = jobs.find((job) => job.handler === 'jobs/settle-auctions');
  assert.ok(settle);
  assert.equal(settle.schedule, 'rate(1 minute)');
  assert.equal(settle.access, 'write');
});

test('every job run times out before the next run is due (one run at a time, never a queue)', () => {
  const seconds = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 } as const;
  for (const job of jobs) {
    const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(job.schedule);
    assert.ok(match, `${job.id}: a rate() schedule`);
    assert.ok(job.timeoutSeconds < Number(match[1]) * seconds[match[2] as keyof typeof seconds], job.id);
  }
});

test('a job gets a schedule rule targeting its function: reserved concurrency, no retries, its own timeout', () => {
  const { template } = synthStage('staging', { jobs: [present, missing] });
  const rules = resources(template, 'AWS::Events::Rule');
  assert.equal(rules.length, 1, 'the missing handler gets no rule');
  const [, rule] = rules[0]!;
  assert.equal(rule.Properties!.ScheduleExpression, 'rate(5 minutes)');
  assert.equal(rule.Properties!.State, 'ENABLED');
  const [target] = rule.Properties!.Targets;
  assert.deepEqual(target.RetryPolicy, { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 });
  const functionId = target.Arn['Fn::GetAtt'][0] as string;
  assert.ok(functionId.includes('presentJob'));
  const fn = resources(template, 'AWS::Lambda::Function').find(([id]) => id === functionId)![1];
  assert.equal(fn.Properties!.ReservedConcurrentExecutions, stageConfigs.staging.reservedConcurrency.jobs);
  assert.equal(fn.Properties!.Timeout, 40);
  assert.ok(!roleActions(template, functionId).includes('dynamodb:PutItem'), 'a read job cannot write');
  const invokeConfig = resources(template, 'AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties!);
  assert.deepEqual(invokeConfig.map((c) => [c.MaximumRetryAttempts, c.MaximumEventAgeInSeconds]), [[0, 60]]);
  assert.ok(!JSON.stringify(template.toJSON()).includes('missingJob'));
});

describe('a failed job run goes to its on-failure queue, which is alarmed on', () => {
  const { template, stack } = synthStage('staging', { jobs: [present] });
  const [, invokeConfig] = resources(template, 'AWS::Lambda::EventInvokeConfig')[0]!;
  const functionId = referencedId(invokeConfig.Properties!.FunctionName);
  const queueId = referencedId(invokeConfig.Properties!.DestinationConfig.OnFailure.Destination);
  const queue = resource(template, queueId);

  test('Lambda sends a failed asynchronous run (the scheduled event and the error) to an SQS queue of the job\'s own', () => {
    assert.ok(functionId.includes('presentJob'));
    assert.equal(queue.Type, 'AWS::SQS::Queue');
    assert.ok(queueId.includes('presentJob'));
    assert.deepEqual(invokeConfig.Properties!.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': [queueId, 'Arn'] });
    assert.deepEqual([invokeConfig.Properties!.MaximumRetryAttempts, invokeConfig.Properties!.MaximumEventAgeInSeconds], [0, 60]);
  });

  test('the queue is SQS-encrypted, TLS only and keeps messages 14 days; only the job may send to it, nothing reads it', () => {
    assert.equal(queue.Properties!.SqsManagedSseEnabled, true);
    assert.equal(queue.Properties!.MessageRetentionPeriod, 14 * 86_400);
    const [, policy] = resources(template, 'AWS::SQS::QueuePolicy')
      .find(([, p]) => (p.Properties!.Queues as unknown[]).some((ref) => referencedId(ref) === queueId))!;
    const statements = policy.Properties!.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[];
    assert.ok(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } })));
    const onQueue = resources(template, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties!.PolicyDocument).includes(queueId));
    assert.equal(onQueue.length, 1);
    const actions = (onQueue[0]![1].Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((s) => JSON.stringify(s.Resource).includes(queueId)).flatMap((s) => [s.Action].flat());
    assert.ok(actions.includes('sqs:SendMessage') && !actions.some((a) => a.startsWith('sqs:Receive') || a.startsWith('sqs:Delete')), actions.join());
    assert.ok(roleActions(template, functionId).includes('sqs:SendMessage'), 'the job\'s own role sends');
  });

  test('an alarm notifies the stage\'s topic while the queue holds a message', () => {
    const [, alarm] = resources(template, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties!.AlarmName === `${stack.stackName}-PresentJobJobFailures`)!;
    const props = alarm.Properties!;
    assert.deepEqual([props.Namespace, props.MetricName, props.Statistic, props.Period], ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum', 300]);
    assert.deepEqual(props.Dimensions, [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]);
    assert.deepEqual([props.ComparisonOperator, props.Threshold, props.EvaluationPeriods], ['GreaterThanThreshold', 0, 1]);
    const [topicId] = resources(template, 'AWS::SNS::Topic')[0]!;
    assert.deepEqual([props.AlarmActions, props.OKActions], [[{ Ref: topicId }], [{ Ref: topicId }]]);
  });

  test('the queue URL is a stack output', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.deepEqual(outputs[failureQueueOutputKey('presentJob')]!.Value, { Ref: queueId });
  });
});

test('by default the stack schedules exactly the listed jobs whose handlers have landed', () => {
  const landed = jobs.filter((job) => existsSync(projectPath(handlerEntry(job.handler))));
  const { template } = stage('staging');
  const schedules = resources(template, 'AWS::Events::Rule').map(([, rule]) => rule.Properties!.Targets[0].Arn['Fn::GetAtt'][0] as string);
  assert.equal(schedules.length, landed.length);
  for (const job of landed) assert.ok(schedules.some((functionId) => functionId.includes(job.id)), job.id);
});
