import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger.js';
import { metrics } from './metrics.js';
import { tracerMiddleware } from './tracer.js';

/**
 * Every handler's Powertools middleware: a trace segment per invocation where tracing is on (tracer.ts: in Lambda;
 * DynamoDB calls as subsegments), metrics written when it ends (and a ColdStart metric), the Lambda context in
 * each log line.
 */
export function instrumented<E, R>(handler: (event: E, context: Context) => Promise<R>, options: middy.PluginObject = {}) {
  const wrapped = middy(handler, options);
  if (tracerMiddleware) wrapped.use(tracerMiddleware);
  return wrapped
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectLambdaContext(logger, { resetKeys: true }));
}
