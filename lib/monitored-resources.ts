import { Duration } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IAlias, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { indexNames } from '../functions/data/table-definition.js';
import { routeKey, type Route } from '../functions/routes.js';

/** A function, by its id, and the queue Lambda sends what it gave up on. */
interface WithFailureQueue {
  id: string;
  function: IFunction;
  failureQueue: IQueue;
}

/** What the dashboard and the alarms watch. */
export interface MonitoredResources {
  httpApi: HttpApi;
  stage: HttpStage;
  routes: readonly Route[];
  /** Every Lambda of the stack, by its route, job or stream consumer id. */
  functions: readonly { id: string; function: IFunction }[];
  /** The `live` aliases of the API functions (also among `functions`, by the same id): what a deploy shifts. */
  liveAliases: readonly { id: string; alias: IAlias }[];
  /** The table's stream consumers (also among `functions`) and their on-failure queues. */
  streamConsumers: readonly WithFailureQueue[];
  /** The scheduled jobs (also among `functions`) and their on-failure queues. */
  jobs: readonly WithFailureQueue[];
  table: ITable;
  distribution: Distribution;
  /** The web ACL's metric name (its CloudWatch WebACL dimension). */
  webAclMetricName: string;
}

export const oneMinute = Duration.minutes(1);
export const fiveMinutes = Duration.minutes(5);

/** Route-level API Gateway metrics (detailed metrics are on for every route). */
export function routeMetric(resources: MonitoredResources, route: Route, metricName: string, options: MetricOptions): Metric {
  return new Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensionsMap: {
      ApiId: resources.httpApi.apiId,
      Stage: resources.stage.stageName,
      Method: route.method,
      Resource: route.path,
    },
    label: routeKey(route),
    ...options,
  });
}

/** A DynamoDB metric for the table itself and for each global secondary index, labelled `<metric> <table|gsiN>`. */
export function tableAndIndexMetrics(table: ITable, metricName: string, options: MetricOptions): Metric[] {
  return [
    table.metric(metricName, { label: `${metricName} table`, ...options }),
    ...indexNames.map((indexName) => new Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: table.tableName, GlobalSecondaryIndexName: indexName },
      label: `${metricName} ${indexName}`,
      ...options,
    })),
  ];
}
