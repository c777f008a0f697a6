// bin/app.ts as the CDK CLI runs it (context and output directory from the environment), without the CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { projectPath } from '../../lib/project-paths.js';
import { cdkJsonContext } from './support/synth.js';

test('bin/app.ts synthesizes the stage named by -c stage, honouring -c wafRateLimit', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'marketplace-app-'));
  after(() => rmSync(outdir, { recursive: true, force: true }));
  execFileSync(process.execPath, ['--import', 'tsx', projectPath('bin/app.ts')], {
    cwd: projectPath('.'),
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext, stage: 'prod', wafRateLimit: '50000', 'aws:cdk:bundling-stacks': [] }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.deepEqual(readdirSync(outdir).filter((name) => name.endsWith('.template.json')), ['Marketplace-prod.template.json']);
  const template = JSON.parse(readFileSync(join(outdir, 'Marketplace-prod.template.json'), 'utf8'));
  const acl = Object.values(template.Resources as Record<string, { Type: string; Properties: any }>)
    .find((resource) => resource.Type === 'AWS::WAFv2::WebACL')!;
  assert.equal(acl.Properties.Rules[0].Statement.RateBasedStatement.Limit, 50_000);
  // The validation report (cdk-nag and CloudFormation schema checks, as `cdk synth` runs them): no findings.
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  assert.doesNotMatch(JSON.stringify(report), /"severity":\s*"(error|warning)"/);
});

test("cdk.json sets every feature flag aws-cdk-lib recommends, to the recommended value", () => {
  const recommended = JSON.parse(readFileSync(projectPath('node_modules/aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Record<string, unknown>;
  assert.ok(Object.keys(recommended).length > 80);
  for (const [flag, value] of Object.entries(recommended)) assert.deepEqual(cdkJsonContext[flag], value, flag);
});
