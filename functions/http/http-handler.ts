import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { routesForHandler, type Route } from '../routes.js';
import { ServiceUnavailableError } from '../domain/errors.js';
import { callerId } from './caller.js';
import { errorResponse } from './error-response.js';
import { instrumented } from '../observability/instrumented.js';
import { logger } from '../observability/logger.js';
import { originCheck } from './origin-verify.js';
import { cacheControl, jsonResponse, Reply, type HttpResponse } from './responses.js';

type Body = unknown;

function routesOf(handlerName: string, auth: Route['auth']): Map<string, Route> {
  const served = routesForHandler(handlerName);
  if (served.length === 0) throw new Error(`No route in the route table uses handler ${handlerName}`);
  const mismatched = served.filter((route) => route.auth !== auth);
  if (mismatched.length > 0) {
    throw new Error(`Handler ${handlerName} is ${auth} but the route table says otherwise for ${mismatched[0]!.id}`);
  }
  return new Map(served.map((route) => [`${route.method} ${route.path}`, route]));
}

function toResponse(result: Body | Reply, route: Route | undefined): HttpResponse {
  const reply = result instanceof Reply ? result : new Reply(200, result);
  const headers = { 'cache-control': reply.status === 200 ? cacheControl(route?.cache) : 'no-store', ...reply.headers };
  return jsonResponse(reply.status, reply.body, headers);
}

function wrap(
  handlerName: string,
  auth: Route['auth'],
  run: (event: APIGatewayProxyEventV2, userId: string | undefined, context: Context) => Promise<Body | Reply>,
) {
  const byRouteKey = routesOf(handlerName, auth);
  const base = async (event: APIGatewayProxyEventV2, context: Context): Promise<HttpResponse> => {
    const route = byRouteKey.get(event.routeKey);
    // The API Gateway request id, also in the access log: joins each log line to its request.
    logger.setCorrelationId(event.requestContext?.requestId);
    try {
      // Before anything else: a request that did not come through CloudFront is refused here.
      await originCheck.verify(event.headers);
      const userId = auth === 'user' ? callerId(event) : undefined;
      return toResponse(await run(event, userId, context), route);
    } catch (error) {
      return errorResponse(error);
    }
  };
  // Shortly before the Lambda timeout, answer 503 in the error shape rather than dying with a bare 500.
  return instrumented(base, { timeoutEarlyResponse: () => errorResponse(new ServiceUnavailableError('TIMEOUT', 'The request took too long; retry shortly')) });
}

/** A route anyone may call. */
export function publicHandler(handlerName: string, run: (event: APIGatewayProxyEventV2, context: Context) => Promise<Body | Reply>) {
  return wrap(handlerName, 'public', (event, _userId, context) => run(event, context));
}

/** A route that needs a verified user; `userId` is the JWT subject, checked here whatever the authorizer did. */
export function userHandler(
  handlerName: string,
  run: (event: APIGatewayProxyEventV2, userId: string, context: Context) => Promise<Body | Reply>,
) {
  return wrap(handlerName, 'user', (event, userId, context) => run(event, userId!, context));
}
