// cdk-nag AWS Solutions checks: no unacknowledged finding, and every acknowledgement says why. The checks run once per
// stage, in the stage's one synthesis (test/stack/support/stage-cache.ts), through the plugin bin/app.ts attaches.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfigs, type StageName } from '../../lib/stage-config.js';
import { stage } from './support/synth.js';

for (const stageName of Object.keys(stageConfigs) as StageName[]) {
  describe(stageName, () => {
    const { plugins, validationFailed, validationReport, acknowledgements } = stage(stageName);

    test('the synthesis ran the AwsSolutions checks (the app attaches them) and did not fail', () => {
      assert.deepEqual(plugins, ['AwsSolutions']);
      assert.equal(validationFailed, false);
    });

    test('no unacknowledged AwsSolutions finding (errors or warnings)', () => {
      const findings = validationReport.pluginReports.flatMap((report) => report.violations.map((violation) =>
        `${violation.severity} ${violation.ruleName} at ${violation.violatingConstructs.map((c) => c.constructPath).join(', ')}: ${violation.description}`));
      assert.deepEqual(findings, []);
    });

    test('every acknowledgement names an AwsSolutions rule and gives a reason', (t) => {
      assert.ok(acknowledgements.length > 0);
      for (const ack of acknowledgements) {
        assert.match(ack.id, /^AwsSolutions-[A-Z]+\d+(\[.+\])?$/, ack.path);
        assert.ok(ack.reason.trim().length >= 40, `${ack.path} ${ack.id}: reason "${ack.reason}" is too thin`);
      }
      if (stageName !== 'staging') return;
      // The list, for review: rule and reason, with how many constructs carry it.
      const counts = new Map<string, number>();
      for (const ack of acknowledgements) {
        const text = `${ack.id.replace(/\[.*\]$/, '')}: ${ack.reason}`;
        counts.set(text, (counts.get(text) ?? 0) + 1);
      }
      for (const [text, count] of counts) t.diagnostic(`${count}x ${text}`);
    });
  });
}

test('synthesis fails on a finding nobody acknowledged, and the report names it', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'marketplace-nag-'));
  try {
    const app = new App({ outdir });
    new Topic(new Stack(app, 'Unacknowledged'), 'UnacknowledgedTopic');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    assert.throws(() => app.synth(), /Validation failed/);
    const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
    assert.match(report, /AwsSolutions-SNS3/);
    assert.match(report, /UnacknowledgedTopic/);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
