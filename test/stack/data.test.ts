// The table, the functions' settings and what each function may do to the table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { idempotencyTableKeys, indexKeys, indexNames, tableKeys, ttlAttribute } from '../../functions/data/table-definition.js';
import { routeKey, routes } from '../../functions/routes.js';
import { deployableJobs } from '../../lib/jobs.js';
import { stageConfigs, type StageName } from '../../lib/stage-config.js';
import { deployableStreamConsumers } from '../../lib/stream-consumers.js';
import { referencedId, resource, resources, roleActions, routeFunction, stage } from './support/synth.js';

const stages = { staging: stage('staging'), prod: stage('prod') };

/** DynamoDB actions that change data. */
const writeActions = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete']
  .map((action) => `dynamodb:${action}`);

/** The marketplace table and the idempotency table, told apart by their keys. */
function tables(stageName: StageName) {
  const all = resources(stages[stageName].template, 'AWS::DynamoDB::Table');
  assert.equal(all.length, 2, 'the marketplace table and the idempotency table');
  const isIdempotency = ([, table]: (typeof all)[number]) => table.Properties!.KeySchema.length === 1;
  return { main: all.find((entry) => !isIdempotency(entry))!, idempotency: all.find(isIdempotency)! };
}

describe('the table', () => {
  test('is built from the table definition: keys, every GSI with projection ALL, TTL, on demand, PITR', () => {
    const [, table] = tables('staging').main;
    const props = table.Properties!;
    assert.deepEqual(props.KeySchema, [
      { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
    ]);
    assert.equal(props.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(props.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.deepEqual(props.TimeToLiveSpecification, { AttributeName: ttlAttribute, Enabled: true });
    assert.deepEqual(props.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName), [...indexNames]);
    for (const index of props.GlobalSecondaryIndexes) {
      const keys = indexKeys[index.IndexName as keyof typeof indexKeys];
      assert.deepEqual(index.KeySchema, [
        { AttributeName: keys.partitionKey, KeyType: 'HASH' },
        { AttributeName: keys.sortKey, KeyType: 'RANGE' },
      ]);
      assert.deepEqual(index.Projection, { ProjectionType: 'ALL' });
    }
  });

  test('prod retains both tables and protects them from deletion', () => {
    for (const [, table] of Object.values(tables('prod'))) {
      assert.equal(table.DeletionPolicy, 'Retain');
      assert.equal(table.UpdateReplacePolicy, 'Retain');
      assert.equal(table.Properties!.DeletionProtectionEnabled, true);
    }
    const [, pool] = resources(stages.prod.template, 'AWS::Cognito::UserPool')[0]!;
    assert.equal(pool.DeletionPolicy, 'Retain');
    assert.equal(pool.Properties!.DeletionProtection, 'ACTIVE');
  });

  test('staging destroys both tables with the stack', () => {
    for (const [, table] of Object.values(tables('staging'))) {
      assert.equal(table.DeletionPolicy, 'Delete');
      assert.equal(table.Properties!.DeletionProtectionEnabled, false);
    }
  });

  for (const stageName of ['staging', 'prod'] as StageName[]) {
    test(`${stageName}: Contributor Insights (${stageConfigs[stageName].contributorInsights}) on the table and every index`, () => {
      const props = tables(stageName).main[1].Properties!;
      const expected = { Enabled: true, Mode: stageConfigs[stageName].contributorInsights };
      assert.deepEqual(props.ContributorInsightsSpecification, expected);
      for (const index of props.GlobalSecondaryIndexes) assert.deepEqual(index.ContributorInsightsSpecification, expected, index.IndexName);
    });
  }
  test('prod watches throttled keys all the time; staging, where load tests run, every key', () => {
    assert.equal(stageConfigs.prod.contributorInsights, 'THROTTLED_KEYS');
    assert.equal(stageConfigs.staging.contributorInsights, 'ACCESSED_AND_THROTTLED_KEYS');
  });
});

describe('the idempotency table', () => {
  const [idempotencyTableId, table] = tables('staging').idempotency;

  test('a partition key per record (id), on demand, PITR, records expire by TTL', () => {
    const props = table.Properties!;
    assert.deepEqual(props.KeySchema, [{ AttributeName: idempotencyTableKeys.partitionKey, KeyType: 'HASH' }]);
    assert.equal(props.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(props.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.deepEqual(props.TimeToLiveSpecification, { AttributeName: idempotencyTableKeys.ttlAttribute, Enabled: true });
    assert.equal(props.GlobalSecondaryIndexes, undefined);
  });

  test('only the routes that keep Powertools records (createTopup, createWithdrawal, sweepCollection) get it, by name and by grant', () => {
    const marked = routes.filter((route) => route.idempotencyTable).map((route) => route.id);
    assert.deepEqual(marked.sort(), ['createTopup', 'createWithdrawal', 'sweepCollection']);
    const template = stages.staging.template;
    for (const [functionId, fn] of resources(template, 'AWS::Lambda::Function')) {
      const named = fn.Properties!.Environment.Variables.IDEMPOTENCY_TABLE_NAME;
      const roleId = referencedId(fn.Properties!.Role);
      const granted = resources(template, 'AWS::IAM::Policy')
        .filter(([, policy]) => (policy.Properties!.Roles as unknown[]).some((role) => referencedId(role) === roleId))
        .some(([, policy]) => JSON.stringify(policy.Properties!.PolicyDocument).includes(idempotencyTableId));
      const route = routes.find((candidate) => routeFunction(template, routeKey(candidate)).functionId === functionId);
      if (route?.idempotencyTable) {
        assert.deepEqual(named, { Ref: idempotencyTableId }, functionId);
        assert.ok(granted, `${functionId} may use the idempotency table`);
      } else {
        assert.equal(named, undefined, functionId);
        assert.ok(!granted, `${functionId} may not use the idempotency table`);
      }
    }
  });

  test('the stacks are named per stage, in us-east-1, prod with termination protection', () => {
    assert.equal(stages.staging.stackName, 'Marketplace-staging');
    assert.equal(stages.prod.stackName, 'Marketplace-prod');
    assert.equal(stages.staging.region, 'us-east-1');
    assert.equal(stages.prod.terminationProtection, true);
    assert.equal(stages.staging.terminationProtection, false);
  });
});

describe('functions', () => {
  for (const stageName of ['staging', 'prod'] as StageName[]) {
    const { template } = stages[stageName];
    const config = stageConfigs[stageName];
    const [tableId] = tables(stageName).main;
    const notFoundId = routeFunction(template, '$default').functionId;

    test(`${stageName}: every function has the defaults: arm64, Node 24, ESM handler, env, own log group`, () => {
      const functions = resources(template, 'AWS::Lambda::Function');
      // A function per route, the $default fallback, each scheduled job, each stream consumer and the payout consumer.
      assert.equal(functions.length, routes.length + 1 + deployableJobs().length + deployableStreamConsumers().length + 1);
      for (const [id, fn] of functions) {
        const props = fn.Properties!;
        assert.deepEqual(props.Architectures, ['arm64'], id);
        assert.equal(props.Runtime, 'nodejs24.x', id);
        assert.equal(props.Handler, 'index.handler', id);
        assert.equal(props.MemorySize, config.lambda.memoryMb, id);
        // What only some functions get: the read cache, the idempotency table, the origin secret and its extension, the
        // live feed's endpoint (the feed publisher: test/stack/live-feed.test.ts).
        const common = Object.fromEntries(Object.entries(props.Environment.Variables as Record<string, unknown>)
          .filter(([name]) => !/^(PUBLIC_READ_CACHE_MS|IDEMPOTENCY_TABLE_NAME|FEED_HTTP_URL|STRIPE_SECRET_NAME|TESTER_INSTANT_CREDIT|WITHDRAWALS_QUEUE_URL|ORIGIN_SECRET_.*|PARAMETERS_SECRETS_.*|SECRETS_MANAGER_.*|SSM_PARAMETER_STORE_.*)$/.test(name)));
        // The not-found function has no table access, so no table name (test/stack/privileges.test.ts).
        assert.deepEqual(common, {
          ...(id === notFoundId ? {} : { TABLE_NAME: { Ref: tableId } }),
          POWERTOOLS_SERVICE_NAME: 'marketplace',
          POWERTOOLS_LOG_LEVEL: config.logLevel,
          NODE_OPTIONS: '--enable-source-maps',
        }, id);
        const logGroup = resource(template, referencedId(props.LoggingConfig.LogGroup));
        assert.equal(logGroup.Properties!.RetentionInDays, config.logRetentionDays, id);
        assert.equal(logGroup.DeletionPolicy, config.removalPolicy === 'retain' ? 'Retain' : 'Delete', id);
      }
    });
  }

  const { template } = stages.staging;

  test('no role carries a managed policy: each may write its own log group and traces, and use the table, nothing more', () => {
    for (const [id, role] of resources(template, 'AWS::IAM::Role')) {
      // Except CodeDeploy's, with AWS's policy for Lambda deployments (test/stack/api.test.ts, "safe deploys").
      if (JSON.stringify(role.Properties!.AssumeRolePolicyDocument).includes('codedeploy.amazonaws.com')) continue;
      assert.equal(role.Properties!.ManagedPolicyArns, undefined, id);
    }
    const failureQueueIds = resources(template, 'AWS::SQS::Queue').map(([queueId]) => queueId);
    // The origin secret, and the Stripe secret (test/stack/payments.test.ts says which functions read it).
    const secretIds = resources(template, 'AWS::SecretsManager::Secret').map(([secretId]) => secretId);
    for (const [id, policy] of resources(template, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties!.PolicyDocument.Statement) {
        const actions = [statement.Action].flat() as string[];
        // A stream consumer or a scheduled job may also send to its on-failure queue, and to nothing else.
        const sendsToFailureQueue = actions.every((action) => action.startsWith('sqs:'))
          && failureQueueIds.includes(referencedId(statement.Resource)) && (id.startsWith('Streams') || id.startsWith('Jobs'));
        // Active tracing: exactly the two X-Ray write actions, which take no resource (Resource '*').
        // CDK merges them into the stream consumer's ListStreams statement, which has Resource '*' too.
        const traceActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
        const writesTraces = traceActions.every((action) => actions.includes(action))
          && actions.every((action) => traceActions.includes(action) || (action === 'dynamodb:ListStreams' && id.startsWith('Streams')));
        // An API function may also read the origin secret (test/stack/edge.test.ts, "only CloudFront reaches the API").
        const readsOriginSecret = actions.every((action) => action.startsWith('secretsmanager:'))
          && [statement.Resource].flat().every((resource: unknown) => secretIds.includes(referencedId(resource)));
        // Withdrawals: the request sends to the payouts queue, its consumer receives from it (test/stack/payments.test.ts).
        const usesPayoutQueue = actions.every((action) => action.startsWith('sqs:')) && referencedId(statement.Resource).startsWith('PaymentsPayouts');
        // The feed publisher publishes to the live feed's namespaces (test/stack/live-feed.test.ts).
        const publishesFeed = actions.every((action) => action === 'appsync:EventPublish') && id.startsWith('StreamspublishFeed');
        assert.ok(sendsToFailureQueue || writesTraces || readsOriginSecret || usesPayoutQueue || publishesFeed || actions.every((action) => action.startsWith('dynamodb:') || action.startsWith('logs:')), `${id}: ${actions}`);
        assert.ok(!actions.some((action) => action.endsWith('*')), `${id}: ${actions}`);
        assert.equal(statement.Effect, 'Allow');
      }
    }
  });

  for (const route of routes) {
    test(`${routeKey(route)} (${route.access}) ${route.access === 'read' ? 'cannot write' : 'can write'}`, () => {
      const actions = roleActions(template, routeFunction(template, routeKey(route)).functionId);
      assert.ok(actions.includes('dynamodb:Query'), 'reads');
      const writes = actions.filter((action) => writeActions.includes(action));
      if (route.access === 'read') assert.deepEqual(writes, [], `read route ${route.id} may write`);
      else assert.ok(writes.includes('dynamodb:PutItem') && writes.includes('dynamodb:UpdateItem'), `write route ${route.id} cannot write`);
    });
  }

  test('only public read functions reuse first pages and floors for a moment; user and write routes never', () => {
    for (const route of routes) {
      const fn = resource(template, routeFunction(template, routeKey(route)).functionId).Properties!;
      const expected = route.auth === 'public' && route.access === 'read' ? String(stageConfigs.staging.publicReadCacheMs) : undefined;
      assert.equal(fn.Environment.Variables.PUBLIC_READ_CACHE_MS, expected, route.id);
    }
  });
});
