import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricNames, metricsNamespace } from './metric-names.js';

/**
 * Business and health figures as CloudWatch embedded metrics: added during an invocation and written as one
 * log line when it ends (the `logMetrics` middleware in `instrumented`). POWERTOOLS_METRICS_DISABLED turns
 * them off (the local runtime does, unless METRICS=on).
 */
export const metrics = new Metrics({ namespace: metricsNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marketplace' });

export { MetricUnit };

/** One occurrence of a metric that has a dimension of its own: a single-metric line, written at once. */
function countWith(metricName: string, dimension: string, value: string): void {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(metricName, MetricUnit.Count, 1);
}

/** A 409 by its code. */
export const countConflict = (code: string): void => countWith(metricNames.conflicts, 'code', code);

/** A due item a scheduled job failed on, by job id. */
export const countJobItemFailure = (jobId: string): void => countWith(metricNames.jobItemFailures, 'job', jobId);
