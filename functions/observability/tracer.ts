import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing through Powertools: on in Lambda (the stack sets active tracing), a no-op anywhere else,
 * so the local runtime and the tests run the same code untraced.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marketplace' });
