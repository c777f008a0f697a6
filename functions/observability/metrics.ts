import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricNames, metricsNamespace } from './metric-names.js';

/**
 * Business and health figures as CloudWatch embedded metrics: added during an invocation and written as one
 * log line when it ends (the `logMetrics` middleware in `instrumented`). POWERTOOLS_METRICS_DISABLED turns
 * them off (the local runtime does, unless METRICS=on).
 */
export const metrics = new Metrics({ namespace: metricsNamespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marketplace' });

export { MetricUnit };

/** A 409 by its code: a metric of its own, since the code is a dimension. */
export function countConflict(code: string): void {
  const single = metrics.singleMetric();
  single.addDimension('code', code);
  single.addMetric(metricNames.conflicts, MetricUnit.Count, 1);
}
