// Payments: the Stripe secret, the withdrawals queue with its dead-letter queue and alarm, the payout consumer,
// and the stage flag for the testers' instant credit, which prod never has.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { routeKey, routes } from '../../functions/routes.js';
import { resources, roleActions, routeFunction, synthStage } from './support/synth.js';

const route = (id: string) => routeKey(routes.find((r) => r.id === id)!);

describe('payments', () => {
  const prod = synthStage('prod').template;
  const staging = synthStage('staging').template;
  const functionProps = (template: typeof prod, id: string) =>
    Object.fromEntries(resources(template, 'AWS::Lambda::Function'))[routeFunction(template, route(id)).functionId]!.Properties!;

  test('prod has no credit without a payment: no function of its template may credit the testers at once', () => {
    for (const [id, fn] of resources(prod, 'AWS::Lambda::Function')) {
      assert.notEqual(fn.Properties!.Environment?.Variables?.TESTER_INSTANT_CREDIT, 'true', id);
    }
    assert.equal(functionProps(prod, 'createTopup').Environment.Variables.TESTER_INSTANT_CREDIT, 'false');
    assert.equal(functionProps(staging, 'createTopup').Environment.Variables.TESTER_INSTANT_CREDIT, 'true');
  });

  test('the top-up, webhook and payout functions read the Stripe secret; no other function may', () => {
    const [[secretId]] = [resources(prod, 'AWS::SecretsManager::Secret').find(([, s]) => String(s.Properties?.Description).startsWith('Stripe'))!];
    for (const id of ['createTopup', 'stripeWebhook']) {
      assert.deepEqual(functionProps(prod, id).Environment.Variables.STRIPE_SECRET_NAME, { Ref: secretId }, id);
      assert.ok(roleActions(prod, routeFunction(prod, route(id)).functionId).includes('secretsmanager:GetSecretValue'), id);
    }
  });

  test('withdrawals are queued with a dead-letter queue after 5 receives, alarmed, and consumed with partial batch responses', () => {
    const queues = resources(prod, 'AWS::SQS::Queue').filter(([id]) => id.includes('Payout'));
    const main = queues.find(([, q]) => q.Properties?.RedrivePolicy)!;
    assert.equal(main[1].Properties!.RedrivePolicy.maxReceiveCount, 5);
    assert.ok(main[1].Properties!.VisibilityTimeout >= 6 * 30);
    const [[, mapping]] = [resources(prod, 'AWS::Lambda::EventSourceMapping').find(([, m]) => JSON.stringify(m.Properties?.EventSourceArn).includes(main[0]))!];
    assert.deepEqual(mapping.Properties!.FunctionResponseTypes, ['ReportBatchItemFailures']);
    const deadLetterId = JSON.stringify(main[1].Properties!.RedrivePolicy.deadLetterTargetArn).match(/"(\w+)"/)![1]!;
    const alarm = resources(prod, 'AWS::CloudWatch::Alarm').find(([, a]) => JSON.stringify(a.Properties?.Dimensions ?? []).includes(deadLetterId));
    assert.ok(alarm, 'an alarm on the dead-letter queue');
    assert.ok(alarm[1].Properties!.AlarmActions?.length > 0);
    assert.ok(roleActions(prod, routeFunction(prod, route('createWithdrawal')).functionId).includes('sqs:SendMessage'));
  });
});
