import { Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { ParamsAndSecretsLayerVersion, ParamsAndSecretsLogLevel, ParamsAndSecretsVersions } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config.js';

/**
 * How long an API function keeps the secret's values (functions/http/origin-verify.ts): a rotation waits at least
 * this long before CloudFront is given the new value (docs/deploy.md).
 */
export const originSecretCacheSeconds = 300;

/**
 * The AWS Parameters and Secrets Lambda Extension: a layer that serves GetSecretValue on localhost, signed with the
 * function's role, so the handlers read the secret without bundling a Secrets Manager client. Its own cache is off:
 * the handlers cache the values (originSecretCacheSeconds), so one cache decides how stale they can be.
 */
export const secretsExtension = ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
  cacheEnabled: false,
  secretsManagerTimeout: Duration.seconds(1),
  logLevel: ParamsAndSecretsLogLevel.WARN,
});

/**
 * The value CloudFront sends the API in `x-origin-verify` and the API requires (docs/deploy.md, "Only CloudFront
 * reaches the API"). A random 64-character string in Secrets Manager; rotated by hand (put a new value, wait for the
 * functions' cache, deploy with `-c originSecretVersion=<its version id>`), since CloudFront only learns a value
 * from a stack update.
 */
export class OriginSecret extends Construct {
  readonly secret: Secret;
  /** What CloudFront sends: a dynamic reference CloudFormation resolves at deploy time, never the value itself. */
  readonly headerValue: string;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    this.secret = new Secret(this, 'Secret', {
      description: `${config.stage}: the x-origin-verify value CloudFront sends the HTTP API; the API refuses requests without it`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // With a version id the reference changes, so CloudFormation updates the distribution with the new value.
    this.headerValue = SecretValue.secretsManager(this.secret.secretArn, config.originSecretVersion
      ? { versionId: config.originSecretVersion }
      : {}).unsafeUnwrap();
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotated by hand (docs/deploy.md): CloudFront only takes a new header value from a stack update, so a rotation Lambda could not finish the rotation; the API accepts the current and the previous value meanwhile.',
    });
  }
}
