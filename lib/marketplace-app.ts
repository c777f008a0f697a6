import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MarketplaceStack, type MarketplaceStackProps, stackName } from './marketplace-stack.js';
import type { StageConfig } from './stage-config.js';

export type StageOptions = Omit<MarketplaceStackProps, 'config' | 'env'>;

/** A stage's stack in the app, without the cdk-nag checks (variants in tests; addMarketplaceStage adds them). */
export function buildMarketplaceStage(app: App, config: StageConfig, options: StageOptions = {}): MarketplaceStack {
  return new MarketplaceStack(app, stackName(config), {
    ...options,
    config,
    stackName: stackName(config),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
  });
}

/**
 * Adds a stage's stack to the app and the cdk-nag AWS Solutions checks to the app: synthesis fails on any
 * finding that is not acknowledged with a reason. Shared by bin/app.ts and the tests.
 */
export function addMarketplaceStage(app: App, config: StageConfig, options: StageOptions = {}): MarketplaceStack {
  const stack = buildMarketplaceStage(app, config, options);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
