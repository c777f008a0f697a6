// Stage selection from CDK context, and the invariants of the per-stage configs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routes } from '../../functions/routes.js';
import { stageConfigs } from '../../lib/stage-config.js';
import { stageConfigFromContext } from '../../lib/stage-context.js';

const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];

test('-c stage picks the stage; staging when absent; anything else is refused', () => {
  assert.equal(stageConfigFromContext(contextOf({ stage: 'prod' })), stageConfigs.prod);
  assert.equal(stageConfigFromContext(contextOf({})), stageConfigs.staging);
  assert.throws(() => stageConfigFromContext(contextOf({ stage: 'production' })), /Unknown stage/);
});

test('-c wafRateLimit overrides the per-IP limit and nothing else; bad values are refused', () => {
  const config = stageConfigFromContext(contextOf({ stage: 'staging', wafRateLimit: '500000' }));
  assert.equal(config.waf.rateLimitPer5MinPerIp, 500_000);
  assert.deepEqual({ ...config, waf: stageConfigs.staging.waf }, stageConfigs.staging);
  assert.equal(stageConfigs.staging.waf.rateLimitPer5MinPerIp, 3_000, 'the shared config is untouched');
  for (const bad of ['', 'lots', '5', '1.5', '3000000000']) {
    assert.throws(() => stageConfigFromContext(contextOf({ wafRateLimit: bad })), /wafRateLimit/, bad);
  }
});

test('every stage throttles every throttle class the route table uses, within the stage default', () => {
  for (const config of Object.values(stageConfigs)) {
    for (const route of routes) assert.ok(config.throttle.classes[route.throttle], `${config.stage} ${route.throttle}`);
    for (const throttle of Object.values(config.throttle.classes)) {
      assert.ok(throttle.rateLimit <= config.throttle.default.rateLimit && throttle.burstLimit <= throttle.rateLimit);
    }
  }
});

test('prod keeps its data: retain, deletion and termination protection', () => {
  assert.equal(stageConfigs.prod.removalPolicy, 'retain');
  assert.equal(stageConfigs.prod.deletionProtection, true);
  assert.equal(stageConfigs.prod.terminationProtection, true);
  assert.equal(stageConfigs.staging.removalPolicy, 'destroy');
});

test('-c originSecretVersion names the origin secret version CloudFront sends; anything but a version id is refused', () => {
  const versionId = 'a1b2c3d4-0000-4000-8000-0123456789ab';
  const config = stageConfigFromContext(contextOf({ stage: 'prod', originSecretVersion: versionId }));
  assert.equal(config.originSecretVersion, versionId);
  assert.deepEqual({ ...config, originSecretVersion: undefined }, { ...stageConfigs.prod, originSecretVersion: undefined });
  assert.equal(stageConfigs.prod.originSecretVersion, undefined, 'the shared config is untouched');
  for (const bad of ['', 'short', `${versionId}}}`, 'a'.repeat(65), 42]) {
    assert.throws(() => stageConfigFromContext(contextOf({ originSecretVersion: bad })), /originSecretVersion/, String(bad));
  }
});
