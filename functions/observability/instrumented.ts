import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger.js';
import { metrics } from './metrics.js';
import { tracer } from './tracer.js';

/**
 * Every handler's Powertools middleware: a trace segment per invocation (DynamoDB calls as subsegments),
 * metrics written when it ends (and a ColdStart metric), the Lambda context in each log line.
 */
export function instrumented<E, R>(handler: (event: E, context: Context) => Promise<R>, options: middy.PluginObject = {}) {
  return middy(handler, options)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectLambdaContext(logger, { resetKeys: true }));
}
