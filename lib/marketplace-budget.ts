import { Stack } from 'aws-cdk-lib';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config.js';

/** The daily cost a stage's budget allows: its hours a day at the capacity model's hourly estimate. */
export const dailyBudgetUsd = (config: StageConfig) => config.budget.hourlyEstimateUsd * config.budget.hoursPerDay;

/**
 * An AWS Budget on the stage's cost (resources tagged `stage=<stage>`; the tag must be activated as a cost
 * allocation tag, docs/deploy.md): the alarm topic hears when a day's actual cost passes the capacity model's
 * hourly estimate for 10,000 users times the stage's hours a day.
 */
export class MarketplaceBudget extends Construct {
  readonly budget: CfnBudget;

  constructor(scope: Construct, id: string, props: { config: StageConfig; topic: Topic }) {
    super(scope, id);
    const { config, topic } = props;
    const stack = Stack.of(this);
    topic.addToResourcePolicy(new PolicyStatement({
      principals: [new ServicePrincipal('budgets.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:*` },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    }));
    this.budget = new CfnBudget(this, 'Budget', {
      budget: {
        budgetName: `${stack.stackName}-daily-cost`,
        budgetType: 'COST',
        timeUnit: 'DAILY',
        budgetLimit: { amount: dailyBudgetUsd(config), unit: 'USD' },
        costFilters: { TagKeyValue: [`user:stage$${config.stage}`] },
      },
      notificationsWithSubscribers: [{
        notification: { notificationType: 'ACTUAL', comparisonOperator: 'GREATER_THAN', threshold: 100, thresholdType: 'PERCENTAGE' },
        subscribers: [{ subscriptionType: 'SNS', address: topic.topicArn }],
      }],
    });
  }
}
