import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MarketplaceFunction } from './marketplace-function.js';
import type { StageConfig, StageName } from './stage-config.js';

export interface PaymentStageSettings {
  /**
   * POST /users/balance-topups credits members of the Cognito group `testers` at once, without a payment (load
   * tests need no card). Never in prod: test/stack/payments.test.ts proves its template has no such path.
   */
  testerInstantCredit: boolean;
}

const settings: Record<StageName, PaymentStageSettings> = {
  staging: { testerInstantCredit: true },
  prod: { testerInstantCredit: false },
};

export function paymentStageSettings(stage: StageName): PaymentStageSettings {
  return settings[stage];
}

/** A payout message is received this many times before it goes to the dead-letter queue. */
const maxReceiveCount = 5;
const payoutTimeout = Duration.seconds(30);

/**
 * What payments need beyond their routes (docs/payments.md): the Stripe secret (`{ secretKey, webhookSecret }`,
 * set by an operator), the withdrawals queue with its dead-letter queue and alarm, and the payout consumer.
 * `functions` are the route functions by route id (lib/marketplace-api.ts).
 */
export class Payments extends Construct {
  readonly secret: Secret;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly payOut: MarketplaceFunction;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: {
    config: StageConfig; table: ITable; functions: ReadonlyMap<string, MarketplaceFunction>;
  }) {
    super(scope, id);
    const { config, table, functions } = props;
    // A stack built with part of the route table (stack tests) wires what it has.
    const route = (routeId: string) => functions.get(routeId)?.function;
    this.secret = new Secret(this, 'StripeSecret', {
      description: 'Stripe: {"secretKey":"sk_…","webhookSecret":"whsec_…"}; set by an operator (docs/payments.md)',
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Stripe keys are rolled in the Stripe dashboard, which no rotation Lambda can drive; an operator writes the new values here (docs/payments.md) and the functions read them within 5 minutes.',
    });
    this.deadLetters = new Queue(this, 'PayoutDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the withdrawals queue; an operator redrives it (docs/payments.md), so a queue behind it would never receive anything.',
    });
    this.queue = new Queue(this, 'Payouts', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the consumer's timeout, as Lambda's event source mapping asks, so a slow batch is not redelivered meanwhile.
      visibilityTimeout: Duration.seconds(payoutTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount },
    });
    this.payOut = new MarketplaceFunction(this, 'PayOut', {
      handler: 'withdrawals/pay-out', access: 'write', table, config, timeout: payoutTimeout,
      description: 'Withdrawals queue: asks Stripe to pay each withdrawal out, once',
    });
    this.payOut.function.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));

    for (const fn of [route('createTopup'), route('stripeWebhook'), this.payOut.function]) {
      fn?.addEnvironment('STRIPE_SECRET_NAME', this.secret.secretArn);
      if (fn) this.secret.grantRead(fn);
    }
    route('createTopup')?.addEnvironment('TESTER_INSTANT_CREDIT', String(paymentStageSettings(config.stage).testerInstantCredit));
    route('createWithdrawal')?.addEnvironment('WITHDRAWALS_QUEUE_URL', this.queue.queueUrl);
    const createWithdrawal = route('createWithdrawal');
    if (createWithdrawal) this.queue.grantSendMessages(createWithdrawal);

    this.deadLetterAlarm = new Alarm(this, 'PayoutDeadLetterAlarm', {
      alarmName: `${Stack.of(this).stackName}-PayoutDeadLetters`,
      alarmDescription: `A withdrawal could not be sent to Stripe after ${maxReceiveCount} attempts: its amount stays held until an operator redrives the dead-letter queue (docs/payments.md)`,
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** The alarm topic hears the dead-letter alarm fire and clear (the topic is made after the functions it watches). */
  notify(topic: ITopic): void {
    this.deadLetterAlarm.addAlarmAction(new SnsAction(topic));
    this.deadLetterAlarm.addOkAction(new SnsAction(topic));
  }
}
