import { Stack, Validations } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Alias } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config.js';

/**
 * Every API function's deploys go through CodeDeploy: CloudFormation publishes the new version, and CodeDeploy
 * moves the function's `live` alias to it, by the stage's deployment config (prod: 10 % of requests for 5 minutes,
 * then all; staging: all at once), and back to the old version when one of the function's rollback alarms fires
 * while it watches (the API's 5xx rate and p99 latency, the function's own errors). CodeDeploy takes one deployment
 * group per alias: a resource per API function, with its alias, version and errors alarm four (docs/deploy.md
 * counts them against CloudFormation's 500).
 */
export class SafeDeploys extends Construct {
  readonly application: LambdaApplication;
  readonly groups = new Map<string, LambdaDeploymentGroup>();

  constructor(scope: Construct, id: string, props: {
    config: StageConfig;
    functions: readonly { id: string; alias: Alias }[];
    rollbackAlarms: (functionId: string) => IAlarm[];
  }) {
    super(scope, id);
    const { config } = props;
    this.application = new LambdaApplication(this, 'Application', { applicationName: `${Stack.of(this).stackName}-api` });
    // One role for every group (CDK would make one per group: a resource per function for nothing).
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
      description: `${Stack.of(this).stackName}: CodeDeploy shifts the API functions' live aliases`,
    });
    const deploymentConfig = LambdaDeploymentConfig[config.deploymentConfig];
    for (const { id: functionId, alias } of props.functions) {
      this.groups.set(functionId, new LambdaDeploymentGroup(this, functionId, {
        application: this.application,
        alias,
        deploymentConfig,
        alarms: props.rollbackAlarms(functionId),
        role,
        autoRollback: { failedDeployment: true, deploymentInAlarm: true, stoppedDeployment: true },
      }));
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason: 'AWSCodeDeployRoleForLambdaLimited is the AWS managed policy made for this: CodeDeploy reads alarms and moves Lambda aliases, and may invoke only functions named CodeDeployHook_*; CDK attaches it to every Lambda deployment group role.',
    });
  }
}
