import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing through Powertools, where Powertools turns it on: in a Lambda execution environment (the stack
 * sets active tracing), unless POWERTOOLS_TRACE_ENABLED=false or under SAM local. Anywhere else the tracer is
 * not even loaded: the X-Ray SDK under it hooks every promise of the process (cls-hooked) as soon as it is
 * imported, which cost the untraced local runtime and tests about a tenth of their CPU for nothing.
 */
const tracingOn = Boolean(process.env.AWS_EXECUTION_ENV)
  && process.env.AWS_EXECUTION_ENV !== 'AWS_Lambda_amplify-mock'
  && !process.env.AWS_SAM_LOCAL
  && process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';

export const tracer: Tracer | undefined = tracingOn
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marketplace' })
  : undefined;

/** The middleware that opens a subsegment per invocation, when tracing is on. */
export const tracerMiddleware = tracer
  ? (await import('@aws-lambda-powertools/tracer/middleware')).captureLambdaHandler(tracer, { captureResponse: false })
  : undefined;
