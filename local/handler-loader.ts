import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

const loaded = new Map<string, Promise<ApiHandler>>();

/** The same handler modules Lambda runs, imported once each, the first time a route is called. */
export function loadHandler(handlerName: string): Promise<ApiHandler> {
  let handler = loaded.get(handlerName);
  if (!handler) {
    handler = import(`../functions/handlers/${handlerName}.ts`).then((module: { handler?: ApiHandler }) => {
      if (typeof module.handler !== 'function') throw new Error(`${handlerName} exports no handler`);
      return module.handler;
    });
    loaded.set(handlerName, handler);
  }
  return handler;
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
