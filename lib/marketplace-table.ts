import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType, BillingMode, ContributorInsightsMode, ProjectionType, StreamViewType, Table,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import {
  idempotencyTableKeys, indexKeys, indexNames, streamViewType, tableKeys, ttlAttribute,
} from '../functions/data/table-definition.js';
import type { StageConfig } from './stage-config.js';

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * The single table, built from functions/data/table-definition.ts as DynamoDB Local and the tests build it,
 * with a stream for the consumers of functions/stream-consumers.ts.
 */
export class MarketplaceTable extends Table {
  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    const { config } = props;
    // Which partition keys and items take the most traffic or throttle (CloudWatch Contributor Insights), on the
    // table and on every index: the market-wide index partitions are where a hot key would show first.
    const contributorInsightsSpecification = { enabled: true, mode: ContributorInsightsMode[config.contributorInsights] };
    super(scope, id, {
      partitionKey: stringKey(tableKeys.partitionKey),
      sortKey: stringKey(tableKeys.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ttlAttribute,
      stream: StreamViewType[streamViewType],
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      contributorInsightsSpecification,
    });
    for (const indexName of indexNames) {
      this.addGlobalSecondaryIndex({
        indexName,
        partitionKey: stringKey(indexKeys[indexName].partitionKey),
        sortKey: stringKey(indexKeys[indexName].sortKey),
        projectionType: ProjectionType.ALL,
        contributorInsightsSpecification,
      });
    }
  }
}

/**
 * Powertools idempotency records (functions/data/idempotency-store.ts) in a table of their own: a partition key
 * per record, so top-ups are not queued on one key. On demand; records expire by TTL after a day.
 */
export class IdempotencyTable extends Table {
  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    const { config } = props;
    super(scope, id, {
      partitionKey: stringKey(idempotencyTableKeys.partitionKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: idempotencyTableKeys.ttlAttribute,
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
