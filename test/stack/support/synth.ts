// Synthesizes the stages' stacks for the stack tests. `stage(name)` is the app as bin/app.ts builds it (cdk-nag
// attached), synthesized once per stage and source tree and shared by every stack test file through a cache on disk
// (test/stack/support/stage-cache.ts); `synthStage` builds variants (other routes, jobs, consumers; real bundling).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Route } from '../../../functions/routes.js';
import type { StreamConsumer } from '../../../functions/stream-consumers.js';
import type { CfnTemplate } from '../../../lib/deploy-limits.js';
import type { Job } from '../../../lib/jobs.js';
import { buildMarketplaceStage } from '../../../lib/marketplace-app.js';
import type { MarketplaceStack } from '../../../lib/marketplace-stack.js';
import { type StageName, stageConfigs } from '../../../lib/stage-config.js';
import { cachedStage, type StageSynthesis } from './stage-cache.js';
import { testApp } from './test-app.js';

export { cdkJsonContext, testApp } from './test-app.js';

export interface SharedStage {
  stackName: string;
  region: string;
  terminationProtection: boolean;
  /** The stage's template, as `cdk synth` writes it (AWS::CDK::Metadata included). */
  template: Template;
  json: CfnTemplate;
  /** What cdk-nag did in the one synthesis of the stage (bin/app.ts's plugin). */
  plugins: string[];
  validationFailed: boolean;
  validationReport: StageSynthesis['validationReport'];
  acknowledgements: StageSynthesis['acknowledgements'];
}

const shared = new Map<StageName, SharedStage>();

/** The stage as `cdk synth -c stage=<name>` builds it: synthesized once for every stack test (disk cache). */
export function stage(name: StageName): SharedStage {
  let found = shared.get(name);
  if (!found) {
    const synthesis = cachedStage(name);
    const [stackName, json] = Object.entries(synthesis.templates)[0]!;
    found = {
      stackName, json, ...synthesis.stacks[stackName]!, template: Template.fromJSON(json, { skipCyclicalDependenciesCheck: true }),
      plugins: synthesis.plugins, validationFailed: synthesis.validationFailed, validationReport: synthesis.validationReport, acknowledgements: synthesis.acknowledgements,
    };
    shared.set(name, found);
  }
  return found;
}

export interface Synthesized {
  app: App;
  stack: MarketplaceStack;
  template: Template;
  /** The cloud assembly directory (bundled assets live here when `bundle` is set). */
  outdir: string;
}

export interface SynthOptions {
  /** Bundle the functions with esbuild for real; otherwise bundling is skipped (fast). */
  bundle?: boolean;
  /**
   * Run CDK's built-in CloudFormation schema validation (on in `cdk synth`). Off by default here: it costs
   * seconds per synth; test/stack/app.test.ts and the bundling test keep it on.
   */
  cloudFormationValidation?: boolean;
  routes?: readonly Route[];
  jobs?: readonly Job[];
  streamConsumers?: readonly StreamConsumer[];
}

/** A variant of a stage (its own routes, jobs or consumers; real bundling), without cdk-nag: `stage()` runs that. */
export function synthStage(stageName: StageName, options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), `marketplace-${stageName}-`));
  after(() => rmSync(outdir, { recursive: true, force: true }));
  const app = testApp({ ...options, outdir });
  const stack = buildMarketplaceStage(app, stageConfigs[stageName], {
    routes: options.routes,
    jobs: options.jobs,
    streamConsumers: options.streamConsumers,
  });
  return { app, stack, template: Template.fromStack(stack), outdir };
}

export type CfnResource = { Type: string; Properties?: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };

export function resources(template: Template, type: string): [string, CfnResource][] {
  const all = template.toJSON().Resources as Record<string, CfnResource>;
  return Object.entries(all).filter(([, resource]) => resource.Type === type);
}

export function resource(template: Template, logicalId: string): CfnResource {
  const found = (template.toJSON().Resources as Record<string, CfnResource>)[logicalId];
  if (!found) throw new Error(`No resource ${logicalId}`);
  return found;
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at. */
export function referencedId(value: unknown): string {
  const ref = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (ref.Ref) return ref.Ref;
  if (ref['Fn::GetAtt']) return ref['Fn::GetAtt'][0];
  throw new Error(`Not a reference: ${JSON.stringify(value)}`);
}

/** The API route with this route key (`GET /market`, `$default`). */
export function apiRoute(template: Template, key: string): [string, CfnResource] {
  const matches = resources(template, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties?.RouteKey === key);
  if (matches.length !== 1) throw new Error(`${matches.length} routes with key ${key}`);
  return matches[0]!;
}

/** The Lambda function behind a route: route → integration → the function's live alias → function. */
export function routeFunction(template: Template, key: string): { routeId: string; integrationId: string; aliasId: string; functionId: string } {
  const [routeId, route] = apiRoute(template, key);
  const target = route.Properties!.Target as { 'Fn::Join': [string, unknown[]] };
  const integrationId = referencedId(target['Fn::Join'][1][1]);
  const integration = resource(template, integrationId);
  const aliasId = referencedId(integration.Properties!.IntegrationUri);
  const alias = resource(template, aliasId);
  if (alias.Type !== 'AWS::Lambda::Alias') throw new Error(`${key} invokes a ${alias.Type}, not an alias`);
  return { routeId, integrationId, aliasId, functionId: referencedId(alias.Properties!.FunctionName) };
}

/** Every IAM action granted to a function's role, across its policies. */
export function roleActions(template: Template, functionId: string, on: (resource: unknown) => boolean = () => true): string[] {
  const roleId = referencedId(resource(template, functionId).Properties!.Role);
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties!.Roles as unknown[]).some((role) => referencedId(role) === roleId))
    .flatMap(([, policy]) => (policy.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => on(statement.Resource))
      .flatMap((statement) => [statement.Action].flat()));
}
