import type { APIGatewayProxyEventV2, Context, DynamoDBBatchResponse, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;
export type JobHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

const loaded = new Map<string, Promise<(event: never, context: Context) => Promise<unknown>>>();

function importHandler(handlerName: string): Promise<(event: never, context: Context) => Promise<unknown>> {
  let handler = loaded.get(handlerName);
  if (!handler) {
    handler = import(`../functions/handlers/${handlerName}.ts`).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== 'function') throw new Error(`${handlerName} exports no handler`);
      return module.handler as (event: never, context: Context) => Promise<unknown>;
    });
    loaded.set(handlerName, handler);
  }
  return handler;
}

/** The same handler modules Lambda runs, imported once each, the first time a route is called. */
export function loadHandler(handlerName: string): Promise<ApiHandler> {
  return importHandler(handlerName) as Promise<ApiHandler>;
}

/** A stream consumer's handler module (functions/stream-consumers.ts), imported like the route handlers. */
export function loadStreamHandler(handlerName: string): Promise<StreamHandler> {
  return importHandler(handlerName) as Promise<StreamHandler>;
}

/** A scheduled job's handler module (lib/jobs.ts), imported like the route handlers. */
export function loadJobHandler(handlerName: string): Promise<JobHandler> {
  return importHandler(handlerName) as Promise<JobHandler>;
}

export function lambdaContext(functionName: string, requestId: string, timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
