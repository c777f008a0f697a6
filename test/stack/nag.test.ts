// cdk-nag AWS Solutions checks: no unacknowledged finding, and every acknowledgement says why.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { stageConfigs, type StageName } from '../../lib/stage-config.js';
import { synthStage } from './support/synth.js';

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>)
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason }))));
}

for (const stageName of Object.keys(stageConfigs) as StageName[]) {
  describe(stageName, () => {
    const { app } = synthStage(stageName);

    test('no unacknowledged AwsSolutions finding (errors or warnings)', () => {
      const report = new AwsSolutionsChecks().validateScope(app);
      const findings = report.violations.map((violation) =>
        `${violation.severity} ${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}: ${violation.description}`);
      assert.deepEqual(findings, []);
    });

    test('every acknowledgement names an AwsSolutions rule and gives a reason', (t) => {
      const acks = acknowledgements(app);
      assert.ok(acks.length > 0);
      for (const ack of acks) {
        assert.match(ack.id, /^AwsSolutions-[A-Z]+\d+(\[.+\])?$/, ack.path);
        assert.ok(ack.reason.trim().length >= 40, `${ack.path} ${ack.id}: reason "${ack.reason}" is too thin`);
      }
      if (stageName !== 'staging') return;
      // The list, for review: rule and reason, with how many constructs carry it.
      const counts = new Map<string, number>();
      for (const ack of acks) {
        const text = `${ack.id.replace(/\[.*\]$/, '')}: ${ack.reason}`;
        counts.set(text, (counts.get(text) ?? 0) + 1);
      }
      for (const [text, count] of counts) t.diagnostic(`${count}x ${text}`);
    });
  });
}

test('synthesis fails on a finding nobody acknowledged (the checks are wired into the app)', () => {
  const { app, stack, outdir } = synthStage('staging');
  new Topic(stack, 'UnacknowledgedTopic');
  assert.throws(() => app.synth({ force: true }), /Validation failed/);
  const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
  assert.match(report, /AwsSolutions-SNS3/);
  assert.match(report, /UnacknowledgedTopic/);
});
