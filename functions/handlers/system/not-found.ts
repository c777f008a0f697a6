import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { findRoute } from '../../routes.js';
import { errorResponse } from '../../http/error-response.js';
import { originCheck } from '../../http/origin-verify.js';
import { jsonResponse, type HttpResponse } from '../../http/responses.js';

/** API Gateway's $default route: whatever no route matched. 405 when the path exists with another method. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  try {
    await originCheck.verify(event.headers);
  } catch (error) {
    return errorResponse(error);
  }
  const match = findRoute(event.requestContext.http.method, event.rawPath ?? event.requestContext.http.path);
  if (match.kind === 'method-not-allowed') {
    return jsonResponse(
      405,
      { error: { code: 'METHOD_NOT_ALLOWED', message: `Use ${match.allowed.join(' or ')} on this path` } },
      { allow: match.allowed.join(', ') },
    );
  }
  return jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'No such endpoint' } });
};
