import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { indexKeys, indexNames, streamViewType, tableKeys, ttlAttribute } from '../functions/data/table-definition.js';
import type { StageConfig } from './stage-config.js';

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * The single table, built from functions/data/table-definition.ts as DynamoDB Local and the tests build it,
 * with a stream for the consumers of functions/stream-consumers.ts.
 */
export class MarketplaceTable extends Table {
  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    const { config } = props;
    super(scope, id, {
      partitionKey: stringKey(tableKeys.partitionKey),
      sortKey: stringKey(tableKeys.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ttlAttribute,
      stream: StreamViewType[streamViewType],
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const indexName of indexNames) {
      this.addGlobalSecondaryIndex({
        indexName,
        partitionKey: stringKey(indexKeys[indexName].partitionKey),
        sortKey: stringKey(indexKeys[indexName].sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
