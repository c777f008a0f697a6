import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { config as configureZod } from 'zod/mini';
import english from 'zod/v4/locales/en.js';
import { DomainError, ValidationError } from '../domain/errors.js';

// zod/mini ships without messages; the English ones make `details` readable.
configureZod(english());

/** What validate() needs of a schema: zod/mini and classic zod schemas both have it. */
interface Schema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

/** Largest request body a handler parses; API Gateway would accept 10 MB. */
export const maxBodyBytes = 16 * 1024;
/** Deepest JSON nesting a handler parses. */
export const maxJsonDepth = 16;

/** JSON, and the types plain clients send JSON under (curl -d sends form-urlencoded). */
const acceptedContentType = /^\s*(application\/([\w.+-]*\+)?json|text\/plain|application\/x-www-form-urlencoded)\s*(;|$)/i;

function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') deepest = Math.max(deepest, ++depth);
    else if (ch === '}' || ch === ']') depth--;
  }
  return deepest;
}

/** The JSON body, or {} when there is none. Bad JSON, wrong content type or oversize bodies are 4xx. */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return {};
  const contentType = event.headers?.['content-type'] ?? event.headers?.['Content-Type'];
  if (contentType && !acceptedContentType.test(contentType)) {
    throw new DomainError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > maxBodyBytes) {
    throw new DomainError(413, 'PAYLOAD_TOO_LARGE', `The body must be at most ${maxBodyBytes} bytes`);
  }
  if (text.trim() === '') return {};
  if (jsonDepth(text) > maxJsonDepth) {
    throw new ValidationError(`JSON nesting deeper than ${maxJsonDepth} levels`, undefined, 'INVALID_JSON');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The body is not valid JSON', undefined, 'INVALID_JSON');
  }
}

export interface QueryShape {
  /** Parameters that carry integers; anything not an integer literal is left for the schema to reject. */
  integers?: readonly string[];
  /** Parameters that carry comma-separated lists. */
  lists?: readonly string[];
}

/** Query-string parameters as the object a POST body would carry, so GET twins share a schema. */
export function queryInput(event: APIGatewayProxyEventV2, shape: QueryShape = {}): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value === undefined) continue;
    if (shape.integers?.includes(name) && /^-?\d{1,20}$/.test(value)) input[name] = Number(value);
    else if (shape.lists?.includes(name)) input[name] = value === '' ? [] : value.split(',');
    else input[name] = value;
  }
  return input;
}

/** Input from the body for POST and from the query string for GET, the same way for both twins. */
export function requestInput(event: APIGatewayProxyEventV2, shape: QueryShape = {}): unknown {
  return event.requestContext.http.method === 'GET' ? queryInput(event, shape) : jsonBody(event);
}

export function validate<T>(schema: Schema<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    }));
    throw new ValidationError('The request is not valid', details);
  }
  return result.data;
}

/** Path parameters, validated like any other input (ids never contain '#'). */
export function pathInput(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  return event.pathParameters ?? {};
}
