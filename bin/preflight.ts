// `npm run preflight -- -c stage=prod`: what the target account must have before `cdk deploy` (docs/deploy.md):
// the region, the CDK bootstrap, and what the stage's templates use of each per-stack limit and, with the other
// stage in the same account, of each per-account quota, against AWS's defaults. Offline: it reads no account.
import { App } from 'aws-cdk-lib';
import { accountLimits, accountUsage, type CfnTemplate, stackFindings, stackLimits, templateBytes } from '../lib/deploy-limits.js';
import { buildMarketplaceStage } from '../lib/marketplace-app.js';
import { stageConfigFromContext } from '../lib/stage-context.js';
import { stageConfigs, type StageName } from '../lib/stage-config.js';
import { readFileSync } from 'node:fs';
import { commandLine, usageError } from './cli-args.js';
import { projectPath } from '../lib/project-paths.js';

/** `-c key=value` (or `--context key=value`), as cdk takes them, any number of times. */
function contextArgs(): Record<string, string> {
  const { values } = commandLine(`Usage: npm run preflight -- [-c stage=staging|prod] [-c key=value ...]
  What the target account needs before cdk deploy: region, bootstrap, the stage's per-stack figures and the per-account
  quotas both stages use, against AWS's defaults. Offline.`, { context: { type: 'string', short: 'c', multiple: true } });
  const context: Record<string, string> = {};
  for (const pair of values.context ?? []) {
    const [key, ...value] = pair.split('=');
    if (!key || value.length === 0) usageError(`-c ${pair}: expected key=value`);
    context[key] = value.join('=');
  }
  return context;
}

const cdkContext = (JSON.parse(readFileSync(projectPath('cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const cli = contextArgs();
const config = stageConfigFromContext((key) => cli[key] ?? cdkContext[key]);
// Functions are not bundled: the counts do not depend on the code.
const app = new App({ context: { ...cdkContext, ...cli, 'aws:cdk:bundling-stacks': [], 'aws:cdk:version-reporting': true } });
const stacks = (Object.keys(stageConfigs) as StageName[]).map((name) =>
  buildMarketplaceStage(app, name === config.stage ? config : stageConfigs[name]));
const assembly = app.synth();
const templates = new Map(stacks.map((stack) => [stack.stackName, assembly.getStackByName(stack.stackName).template as CfnTemplate]));
const own = stacks.find((stack) => stack.stackName.endsWith(`-${config.stage}`))!;

const lines = [
  `Stage ${config.stage}: stack ${own.stackName} in ${config.region}.`,
  `Bootstrap: npx cdk bootstrap aws://<account>/${config.region} (the CDKToolkit stack: the asset bucket and deploy roles).`,
  '',
  `Per stack (${own.stackName}):`,
  `  resources ${Object.keys(templates.get(own.stackName)!.Resources ?? {}).length} of ${stackLimits.resources.quota},`
    + ` outputs ${Object.keys(templates.get(own.stackName)!.Outputs ?? {}).length} of ${stackLimits.outputs.quota},`
    + ` template ${templateBytes(templates.get(own.stackName)!)} of ${stackLimits.templateBytes.quota} bytes`,
  '',
  'Per account and Region (this stage / both stages in one account / default quota):',
];
const alone = accountUsage([templates.get(own.stackName)!]);
const both = accountUsage([...templates.values()]);
for (const [check, limit] of Object.entries(accountLimits) as [keyof typeof accountLimits, (typeof accountLimits)[keyof typeof accountLimits]][]) {
  lines.push(`  ${limit.name}: ${alone[check]} / ${both[check]} / ${limit.quota}${both[check] > limit.quota ? '  <- over' : ''}`);
}
const findings = [...templates].flatMap(([name, template]) => stackFindings(name, template));
lines.push('', findings.length === 0 ? 'Nothing the defaults would refuse.' : findings.map((f) => `${f.where}: ${f.message}`).join('\n'));
console.log(lines.join('\n'));
