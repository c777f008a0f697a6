import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.js';
import { metricNames, metricsNamespace } from './metric-names.js';

/**
 * Business and health figures as CloudWatch embedded metrics: added during an invocation and written as one
 * log line when it ends (the `logMetrics` middleware in `instrumented`). POWERTOOLS_METRICS_DISABLED turns
 * them off (the local runtime does, unless METRICS=on).
 */
export const metrics = new Metrics({
  namespace: metricsNamespace,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marketplace',
  // Most requests add no metric, and Powertools warns about each such invocation: that notice is dropped,
  // everything else it says goes to our logger.
  logger: {
    debug: (...content: unknown[]) => logger.debug(String(content[0]), ...content.slice(1) as never[]),
    info: (...content: unknown[]) => logger.info(String(content[0]), ...content.slice(1) as never[]),
    warn: (...content: unknown[]) => {
      if (!String(content[0]).startsWith('No application metrics to publish')) logger.warn(String(content[0]), ...content.slice(1) as never[]);
    },
    error: (...content: unknown[]) => logger.error(String(content[0]), ...content.slice(1) as never[]),
  },
});

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
