import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** What a function may do with the table: nothing (the not-found function), read, or read and write. */
export type TableAccess = 'none' | 'read' | 'write';

/**
 * The DynamoDB actions of each access level, on the table and its indexes. Narrower than CDK's grantReadData and
 * grantReadWriteData: no Scan (request paths never scan, and no job does), no DescribeTable, and no stream reads
 * (GetRecords, GetShardIterator): only stream consumers get those, from their event source.
 */
export const tableActions: Record<TableAccess, readonly string[]> = {
  none: [],
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: [
    'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query',
    'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem',
  ],
};

/** Powertools' DynamoDB persistence layer: it reads, conditionally puts, updates and deletes its records. */
export const idempotencyActions = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/** Grants a function its table access: the table and (`withIndexes`) its global secondary indexes. */
export function grantTable(grantee: IGrantable, table: ITable, actions: readonly string[], withIndexes = true): void {
  if (actions.length === 0) return;
  Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: withIndexes ? [table.tableArn, `${table.tableArn}/index/*`] : [table.tableArn],
  });
}

/**
 * A Lambda execution role of our own instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every
 * group): its functions may write their own log groups and traces, and nothing else but the grants they add.
 */
export function lambdaRole(scope: Construct, id: string, table: ITable): Role {
  const role = new Role(scope, id, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `${Stack.of(scope).stackName} ${scope.node.path.split('/').slice(1).join('/')}`.slice(0, 1000),
  });
  const stack = Stack.of(scope);
  const tableLogicalId = stack.resolve(stack.getLogicalId(table.node.defaultChild as CfnElement)) as string;
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
    reason: 'The table grant covers its global secondary indexes (table/index/*): the handlers query gsi1..gsiN of this one table and no other.',
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (Resource must be *).',
  });
  return role;
}

/**
 * API functions with the same grants share one role: a role and its policy are two CloudFormation resources, and
 * the stack must stay under 500 as routes are added. Sharing gives no function more than its own grants would:
 * the table grant is per access level anyway; the one widening is that each may write the others' log groups.
 */
export class SharedFunctionRoles extends Construct {
  private readonly roles = new Map<string, Role>();

  constructor(scope: Construct, id: string, private readonly table: ITable) {
    super(scope, id);
  }

  /** The role of every function with these grants. */
  roleFor(grants: { access: TableAccess; idempotencyTable: boolean; payments?: 'provider' | 'payouts' | undefined }): Role {
    const payments = { provider: 'PaymentProvider', payouts: 'Payouts', none: '' }[grants.payments ?? 'none'];
    const name = `${{ none: 'NoData', read: 'Read', write: 'Write' }[grants.access]}${grants.idempotencyTable ? 'Idempotent' : ''}${payments}`;
    let role = this.roles.get(name);
    if (!role) {
      role = lambdaRole(this, name, this.table);
      this.roles.set(name, role);
    }
    return role;
  }
}
