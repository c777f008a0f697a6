import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccountRecovery, FeaturePlan, Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config.js';

/** Members create collections and presales (checked by the handlers from the token's cognito:groups). */
export const creatorsGroup = 'creators';

/** Marketplace users: self sign-up by email, one public app client, the `creators` group. */
export class MarketplaceUserPool extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.client = this.userPool.addClient('AppClient', {
      // A public client (web and mobile apps cannot keep a secret).
      generateSecret: false,
      // SRP for apps; USER_PASSWORD_AUTH on staging only, where the AWS CLI and the load test's users sign in.
      authFlows: { userSrp: true, userPassword: config.userPasswordAuth },
      // No hosted UI: apps sign in with SRP and get tokens directly. Without this CDK enables the implicit and code
      // OAuth flows with the callback https://example.com.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });

    this.userPool.addGroup('Creators', {
      groupName: creatorsGroup,
      description: 'Users who may create collections and presales',
    });

    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason: 'MFA is optional (TOTP) rather than required: buyers sign up themselves and a required second factor at sign-up would stop most of them; accounts that hold funds can turn it on.',
      },
      {
        id: 'AwsSolutions-COG3',
        reason: 'Threat protection (advanced security) needs the Cognito Plus feature plan, priced per monthly active user; the pool uses Essentials with a strong password policy, and the WAF rate limit fronts the API.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason: 'Essentials rather than Plus: Plus adds threat protection (see COG3) at a per-user price that 10,000 users multiply; revisit when balances grow large enough to warrant it.',
      },
    );
  }

  /** The issuer HTTP API's JWT authorizer trusts: https://cognito-idp.<region>.amazonaws.com/<pool id>. */
  get issuerUrl(): string {
    return `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
  }
}
