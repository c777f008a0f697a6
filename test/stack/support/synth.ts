// Synthesizes a stage's stack the way bin/app.ts does (cdk-nag attached), into a temporary cloud assembly.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Route } from '../../../functions/routes.js';
import type { StreamConsumer } from '../../../functions/stream-consumers.js';
import type { Job } from '../../../lib/jobs.js';
import { addMarketplaceStage } from '../../../lib/marketplace-app.js';
import { projectPath } from '../../../lib/project-paths.js';
import type { MarketplaceStack } from '../../../lib/marketplace-stack.js';
import { type StageName, stageConfigs } from '../../../lib/stage-config.js';

/** cdk.json's context (the feature flags above all), which the CDK CLI hands to bin/app.ts. */
export const cdkJsonContext = (JSON.parse(readFileSync(projectPath('cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

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

export function synthStage(stage: StageName, options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), `marketplace-${stage}-`));
  after(() => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({
    outdir,
    builtinCloudFormationValidation: options.cloudFormationValidation ?? Boolean(options.bundle),
    treeMetadata: false,
    // An empty list of stacks to bundle: NodejsFunction skips esbuild and stages a placeholder.
    context: { ...cdkJsonContext, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = addMarketplaceStage(app, stageConfigs[stage], {
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
export function roleActions(template: Template, functionId: string): string[] {
  const roleId = referencedId(resource(template, functionId).Properties!.Role);
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties!.Roles as unknown[]).some((role) => referencedId(role) === roleId))
    .flatMap(([, policy]) => (policy.Properties!.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((statement) => [statement.Action].flat()));
}
