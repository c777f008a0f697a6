// Least privilege, checked: each function's DynamoDB, stream, secret and publish rights in the template are exactly
// what the route table, the jobs and the stream consumers say it needs; no Scan anywhere.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fallbackRoute, routeKey, routes } from '../../functions/routes.js';
import { deployableJobs } from '../../lib/jobs.js';
import { stageConfigs, type StageName } from '../../lib/stage-config.js';
import { deployableStreamConsumers } from '../../lib/stream-consumers.js';
import { type CfnResource, referencedId, resource, resources, routeFunction, stage } from './support/synth.js';

// What each access level needs, from the data access code (functions/data): GetCommand, BatchGetCommand and
// QueryCommand read; UpdateCommand, BatchWriteCommand and TransactWriteCommand (puts, updates, deletes, condition
// checks) write. Powertools' idempotency records: get, conditional put, update, delete.
const read = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
const write = [...read, 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort();
const idempotency = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
// What Lambda's event source mapping needs of a stream (ListStreams takes no resource).
const streamRead = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
// The withdrawals queue: what sending a payout needs (CDK's grantSendMessages), and what Lambda's event source mapping
// needs to consume it.
const queueSend = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const queueConsume = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];

interface Needs {
  table: string[];
  idempotencyTable: string[];
  stream: string[];
  originSecret: boolean;
  feedPublish: boolean;
  /** The payment provider's secret (routes with `payments: 'provider'`, the payout consumer). */
  paymentSecret: boolean;
  queue: string[];
}

/** What each function needs, derived from the route table, the jobs and the consumers, by function logical id. */
function needs(stageName: StageName): Map<string, { name: string; needs: Needs }> {
  const { template } = stage(stageName);
  const byId = new Map<string, { name: string; needs: Needs }>();
  const none: Needs = { table: [], idempotencyTable: [], stream: [], originSecret: false, feedPublish: false, paymentSecret: false, queue: [] };
  for (const route of routes) {
    byId.set(routeFunction(template, routeKey(route)).functionId, {
      name: routeKey(route),
      needs: {
        ...none, table: route.access === 'read' ? read : write, idempotencyTable: route.idempotencyTable ? idempotency : [], originSecret: true,
        paymentSecret: route.payments === 'provider', queue: route.payments === 'payouts' ? queueSend : [],
      },
    });
  }
  // The not-found function answers 404 or 405 from the route table alone.
  byId.set(routeFunction(template, '$default').functionId, { name: `$default (${fallbackRoute.id})`, needs: { ...none, originSecret: true } });
  const functionNamed = (id: string) => {
    const found = resources(template, 'AWS::Lambda::Function').filter(([logicalId]) => logicalId.includes(id));
    assert.equal(found.length, 1, id);
    return found[0]![0];
  };
  for (const job of deployableJobs()) {
    byId.set(functionNamed(`Jobs${job.id}`), { name: `job ${job.id}`, needs: { ...none, table: job.access === 'read' ? read : write } });
  }
  for (const consumer of deployableStreamConsumers()) {
    byId.set(functionNamed(`Streams${consumer.id}`), {
      name: `stream consumer ${consumer.id}`,
      needs: { ...none, table: write, stream: streamRead, feedPublish: consumer.id === 'publishFeed' },
    });
  }
  // The withdrawals queue's consumer asks the provider to pay each one out (lib/payments.ts).
  byId.set(functionNamed('PaymentsPayOut'), { name: 'payout consumer', needs: { ...none, table: write, paymentSecret: true, queue: queueConsume } });
  return byId;
}

/** The actions a function's role allows, by what they apply to. */
function granted(stageName: StageName, functionId: string): Needs & { other: string[] } {
  const { template } = stage(stageName);
  const tableIds = resources(template, 'AWS::DynamoDB::Table');
  const mainId = tableIds.find(([, table]) => table.Properties!.StreamSpecification)![0];
  const idempotencyId = tableIds.find(([id]) => id !== mainId)![0];
  const secrets = resources(template, 'AWS::SecretsManager::Secret');
  const [stripeSecretId] = secrets.find(([id]) => id.includes('StripeSecret'))!;
  const [secretId] = secrets.find(([id]) => id !== stripeSecretId)!;
  const roleId = referencedId(resource(template, functionId).Properties!.Role);
  const result = {
    table: new Set<string>(), idempotencyTable: new Set<string>(), stream: new Set<string>(), queue: new Set<string>(), other: new Set<string>(),
    originSecret: false, feedPublish: false, paymentSecret: false,
  };
  for (const [, policy] of resources(template, 'AWS::IAM::Policy') as [string, CfnResource][]) {
    if (!(policy.Properties!.Roles as unknown[]).some((role) => referencedId(role) === roleId)) continue;
    for (const statement of policy.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]) {
      const on = JSON.stringify(statement.Resource);
      for (const action of [statement.Action].flat()) {
        if (action.startsWith('dynamodb:')) {
          if (on.includes(`"${mainId}","StreamArn"`) || action === 'dynamodb:ListStreams') result.stream.add(action);
          else if (on.includes(`"${mainId}"`)) result.table.add(action);
          else if (on.includes(`"${idempotencyId}"`)) result.idempotencyTable.add(action);
          else result.other.add(`${action} on ${on}`);
        } else if (action === 'secretsmanager:GetSecretValue' && on.includes(`"${secretId}"`)) result.originSecret = true;
        // CDK's grantRead of a secret: GetSecretValue and DescribeSecret.
        else if (/^secretsmanager:(GetSecretValue|DescribeSecret)$/.test(action) && on.includes(`"${stripeSecretId}"`)) result.paymentSecret = true;
        else if (action.startsWith('sqs:') && on.includes('PaymentsPayouts')) result.queue.add(action);
        else if (action === 'appsync:EventPublish') result.feedPublish = true;
        // ...and the rest of sqs: sending to an on-failure destination's queue (jobs, stream consumers).
        else if (!/^(logs:(CreateLogStream|PutLogEvents)|xray:Put(TraceSegments|TelemetryRecords)|sqs:(SendMessage|GetQueueAttributes|GetQueueUrl))$/.test(action)) {
          result.other.add(`${action} on ${on}`);
        }
      }
    }
  }
  return {
    table: [...result.table].sort(), idempotencyTable: [...result.idempotencyTable].sort(), stream: [...result.stream].sort(),
    queue: [...result.queue].sort(), other: [...result.other].sort(),
    originSecret: result.originSecret, feedPublish: result.feedPublish, paymentSecret: result.paymentSecret,
  };
}

for (const stageName of Object.keys(stageConfigs) as StageName[]) {
  describe(`${stageName}: each function may do what it needs and nothing more`, () => {
    const expected = needs(stageName);
    const { template } = stage(stageName);

    test('every function is accounted for', () => {
      assert.deepEqual(resources(template, 'AWS::Lambda::Function').map(([id]) => id).sort(), [...expected.keys()].sort());
    });

    for (const [functionId, { name, needs: wanted }] of expected) {
      test(name, () => {
        assert.deepEqual(granted(stageName, functionId), { ...wanted, other: [] });
      });
    }

    test('no policy grants dynamodb:Scan, and none grants a wildcard action', () => {
      const actions = resources(template, 'AWS::IAM::Policy').flatMap(([, policy]) =>
        (policy.Properties!.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((statement) => [statement.Action].flat()));
      assert.ok(actions.length > 0);
      assert.ok(!actions.includes('dynamodb:Scan'));
      assert.deepEqual(actions.filter((action) => action.includes('*')), []);
    });
  });
}
