import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

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
  roleFor(grants: { access: 'read' | 'write'; idempotencyTable: boolean }): Role {
    const name = `${grants.access === 'read' ? 'Read' : 'Write'}${grants.idempotencyTable ? 'Idempotent' : ''}`;
    let role = this.roles.get(name);
    if (!role) {
      role = lambdaRole(this, name, this.table);
      this.roles.set(name, role);
    }
    return role;
  }
}
