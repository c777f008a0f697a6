// The CDK app: `npx cdk deploy -c stage=staging|prod` (docs/deploy.md). One stack per stage.
import { App } from 'aws-cdk-lib';
import { addMarketplaceStage } from '../lib/marketplace-app.js';
import { stageConfigFromContext } from '../lib/stage-context.js';

const app = new App();
addMarketplaceStage(app, stageConfigFromContext((key) => app.node.tryGetContext(key)));
app.synth();
