import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { projectPath } from '../../../lib/project-paths.js';

/** cdk.json's context (the feature flags above all), which the CDK CLI hands to bin/app.ts. */
export const cdkJsonContext = (JSON.parse(readFileSync(projectPath('cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** An app for the stack tests: cdk.json's context, bundling skipped unless asked, no tree metadata. */
export function testApp(options: { bundle?: boolean; cloudFormationValidation?: boolean; outdir?: string } = {}): App {
  return new App({
    outdir: options.outdir,
    builtinCloudFormationValidation: options.cloudFormationValidation ?? Boolean(options.bundle),
    treeMetadata: false,
    // An empty list of stacks to bundle: NodejsFunction skips esbuild and stages a placeholder.
    context: { ...cdkJsonContext, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
}
