import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

export interface StripeSecrets {
  /** sk_live_… / sk_test_… */
  secretKey: string;
  /** whsec_…: the webhook endpoint's signing secret. */
  webhookSecret: string;
}

/** Read again at most every 5 minutes per Lambda environment, so a rotated secret takes effect without a deploy. */
const maxAgeSeconds = 300;

const providers = new Map<string, SecretsProvider>();

/**
 * One Powertools provider (and its cache) per Secrets Manager endpoint: deployed, the SDK's own; locally
 * AWS_ENDPOINT_URL_SECRETS_MANAGER names local/payment-provider.ts, and one test process may start several.
 */
function secretsProvider(): SecretsProvider {
  const endpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? '';
  let provider = providers.get(endpoint);
  if (!provider) {
    provider = new SecretsProvider(endpoint ? { clientConfig: { endpoint } } : {});
    providers.set(endpoint, provider);
  }
  return provider;
}

/**
 * The Stripe secrets, one Secrets Manager secret (STRIPE_SECRET_NAME) holding JSON `{ secretKey, webhookSecret }`,
 * read through the Powertools parameters utility and cached by it.
 */
export async function stripeSecrets(): Promise<StripeSecrets> {
  const name = process.env.STRIPE_SECRET_NAME;
  if (!name) throw new Error('STRIPE_SECRET_NAME is not set');
  const secrets = await secretsProvider().get<StripeSecrets>(name, { maxAge: maxAgeSeconds, transform: 'json' });
  if (!secrets?.secretKey || !secrets.webhookSecret) throw new Error(`secret ${name} lacks secretKey or webhookSecret`);
  return secrets;
}
