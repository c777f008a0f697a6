// One synthesis per stage for every stack test file. Node's test runner runs each file in its own process, so the
// result is kept on disk under node_modules/.cache, keyed on everything that shapes a template (lib/, bin/,
// functions/, cdk.json, the lock file, this support code). The first process to need a stage synthesizes it (cdk-nag
// attached, as bin/app.ts does) while the others wait for its file; an edit to any of those files makes a new key.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Stack, type Stage, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { CfnTemplate } from '../../../lib/deploy-limits.js';
import { addMarketplaceStage } from '../../../lib/marketplace-app.js';
import { projectPath, projectRoot } from '../../../lib/project-paths.js';
import { type StageName, stageConfigs } from '../../../lib/stage-config.js';
import { testApp } from './test-app.js';

export interface NagViolation { ruleName: string; severity: string; description: string; violatingConstructs: { constructPath: string }[] }

export interface StageSynthesis {
  /** Every stack of the stage, by stack name, as `cdk synth` writes it. */
  templates: Record<string, CfnTemplate>;
  /** What the templates do not say of each stack: where it deploys, whether it is protected from deletion. */
  stacks: Record<string, { region: string; terminationProtection: boolean }>;
  /** The validation plugins the app ran in the synthesis (bin/app.ts attaches cdk-nag's AwsSolutions). */
  plugins: string[];
  /** Whether the synthesis failed on a plugin's finding, as `cdk synth` would. */
  validationFailed: boolean;
  /** The synthesis's validation-report.json: what each plugin found (a plugin that found nothing is not listed). */
  validationReport: { pluginReports: { pluginName: string; conclusion: string; violations: NagViolation[] }[] };
  /** Every acknowledged rule in the construct tree, with the construct and the reason. */
  acknowledgements: { path: string; id: string; reason: string }[];
}

const shapingPaths = ['lib', 'bin', 'functions', 'cdk.json', 'package-lock.json', 'test/stack/support'];
const cacheRoot = projectPath('node_modules/.cache/marketplace-stack-tests');
const lockTimeoutMs = 20 * 60_000;

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => files(join(path, name)));
}

/** A hash of every file that shapes the templates, by path and content. */
export function sourceKey(): string {
  const hash = createHash('sha256');
  for (const file of shapingPaths.flatMap((path) => files(projectPath(path)))) {
    hash.update(relative(projectRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

// Taken as the modules load, with the lib/ modules this process runs: a file edited during a run does not get the
// old code's templates cached under its new content.
const loadedKey = sourceKey();

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function acknowledgements(root: IConstruct): StageSynthesis['acknowledgements'] {
  return root.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>)
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason }))));
}

/** The names of the validation plugins attached to the app (Stage#policyValidationBeta1, its deprecation notice muted). */
function validationPlugins(app: Stage): string[] {
  const setting = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = 'quiet';
  try {
    return app.policyValidationBeta1.map((plugin) => plugin.name);
  } finally {
    if (setting === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = setting;
  }
}

/** Builds and synthesizes the stage as bin/app.ts does; a cdk-nag failure is reported, not thrown. */
export function synthesizeStage(name: StageName): StageSynthesis {
  const outdir = mkdtempSync(join(tmpdir(), `marketplace-${name}-`));
  try {
    const app = testApp({ outdir });
    // `cdk synth` adds AWS::CDK::Metadata to each stack; it counts against CloudFormation's 500 resources.
    app.node.setContext('aws:cdk:version-reporting', true);
    addMarketplaceStage(app, stageConfigs[name]);
    let validationFailed = false;
    try {
      app.synth();
    } catch (error) {
      if (!/Validation failed/.test(String(error))) throw error;
      validationFailed = true;
    }
    const templates = Object.fromEntries(readdirSync(outdir).filter((file) => file.endsWith('.template.json'))
      .map((file) => [file.replace(/\.template\.json$/, ''), JSON.parse(readFileSync(join(outdir, file), 'utf8')) as CfnTemplate]));
    const validationReport = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as StageSynthesis['validationReport'];
    const stacks = Object.fromEntries(app.node.findAll().filter((construct): construct is Stack => Stack.isStack(construct))
      .map((stack) => [stack.stackName, { region: stack.region, terminationProtection: stack.terminationProtection }]));
    return { templates, stacks, plugins: validationPlugins(app), validationFailed, validationReport, acknowledgements: acknowledgements(app) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The stage's synthesis for this source tree: from the cache, or made now (once across concurrent test files). */
export function cachedStage(name: StageName): StageSynthesis {
  const dir = join(cacheRoot, loadedKey);
  const file = join(dir, `${name}.json`);
  const lock = join(dir, `${name}.lock`);
  mkdirSync(dir, { recursive: true });
  for (;;) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StageSynthesis;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is synthesizing this stage: wait for its file, unless its lock is stale (a killed run).
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > lockTimeoutMs) rmSync(lock, { recursive: true, force: true });
      sleep(250);
    }
  }
  try {
    const synthesis = synthesizeStage(name);
    writeFileSync(`${file}.tmp`, JSON.stringify(synthesis));
    renameSync(`${file}.tmp`, file);
    for (const other of readdirSync(cacheRoot)) if (join(cacheRoot, other) !== dir) rmSync(join(cacheRoot, other), { recursive: true, force: true });
    return synthesis;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
