// Every answer the API tests receive, checked against the OpenAPI document by a validator nobody here wrote:
// openapi-backend matches the request to an operation of the document (its router) and validates the body and
// headers against that operation's response for the status (its validator, on Ajv). OpenAPI 3.1 schemas are JSON
// Schema 2020-12, so the validator's Ajv (draft-07) is swapped for Ajv's 2020-12 build with its formats.
// What no library here decides, and this file does: that the status is one the operation lists (openapi-backend
// silently skips an unlisted one), that the media type is one it lists, that required headers are there, and the
// answers to a path or method the document does not list (its x-unrouted-responses, from openapi-backend's 404/405).
import { appendFileSync } from 'node:fs';
import { OpenAPIBackend, type Operation } from 'openapi-backend';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../functions/schemas/openapi-document.js';

type Json = Record<string, any>;

export interface ReceivedAnswer {
  method: string;
  /** The path as requested, query string included. */
  path: string;
  status: number;
  headers: Headers;
  /** The body's text. */
  text: string;
}

/**
 * openapi-backend compiles every response and header set of an operation, most of them alike (the error answers):
 * each distinct schema is compiled once, which takes a test process's cost from seconds to a fraction.
 */
class MemoAjv extends Ajv2020 {
  private readonly compiled = new Map<string, unknown>();
  override compile(schema: any, meta?: boolean): any {
    const key = JSON.stringify(schema);
    if (!this.compiled.has(key)) this.compiled.set(key, super.compile(schema, meta));
    return this.compiled.get(key);
  }
}

const document = openApiDocument() as Json;
const ajvs = new Map<string, Ajv2020>();
const api = new OpenAPIBackend({
  definition: document as any,
  // The document is 3.1; openapi-backend's own document check knows 3.0 only. Schemas and refs are checked
  // when compiled (an invalid schema throws), and test/unit/openapi-lint.test.ts checks the rest.
  quick: true,
  strict: true,
  // `/market/` is a path of its own (the seed's clients call it), not `/market` again.
  ignoreTrailingSlashes: false,
  // One Ajv per set of options (bodies; headers, which it coerces), not one per operation as it would make.
  customizeAjv: (_draft07, options) => {
    const key = JSON.stringify(options);
    if (!ajvs.has(key)) ajvs.set(key, addFormats.default(new MemoAjv({ ...options, allErrors: true })));
    return ajvs.get(key) as any;
  },
});
const ready = api.init().then(() => {
  // The router flattens the document's operations on every match (twice); the document never changes here.
  const operations = api.router.getOperations();
  api.router.getOperations = () => operations;
});

const pointer = (...segments: string[]) => `#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
const mediaType = (headers: Headers) => headers.get('content-type')?.split(';')[0]!.trim().toLowerCase() ?? null;

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function ajvProblems(errors: Array<{ instancePath: string; schemaPath: string; message?: string }> | null | undefined, where: string, prefix = ''): string[] {
  return (errors ?? []).map((e) => `${prefix}${e.instancePath || '(root)'} ${e.message} (schema ${where}${e.schemaPath.slice(1)})`);
}

/** Where no operation is involved: a plain Ajv 2020 for the unrouted answers and their headers. */
const plainAjv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(plainAjv);

function checkAgainst(response: Json, where: string, answer: ReceivedAnswer, validateBody: (body: unknown) => string[], validateHeaders: () => string[]): string[] {
  const problems: string[] = [];
  const type = mediaType(answer.headers);
  const content = (response.content ?? {}) as Json;
  if (answer.text === '') {
    if (Object.keys(content).length > 0) problems.push(`empty body, but ${where} describes ${Object.keys(content).join(', ')}`);
  } else if (!type || !(type in content)) {
    problems.push(`media type ${type} is not one of ${where}/content (${Object.keys(content).join(', ') || 'none'})`);
  } else if (type === 'application/json') {
    const parsed = parse(answer.text);
    if (!parsed.ok) problems.push(`the body is not JSON (${where})`);
    else problems.push(...validateBody(parsed.value));
  }
  problems.push(...validateHeaders());
  return problems;
}

function headerObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => { out[name.toLowerCase()] = value; });
  return out;
}

/**
 * An answer to a path or a method the document does not list, against the document's x-unrouted-responses: the
 * router's verdict (404 or 405), or an answer given before routing (any other status listed there).
 */
function checkUnrouted(verdict: 404 | 405, answer: ReceivedAnswer): string[] {
  const unrouted = ((api.definition as Json)['x-unrouted-responses'] ?? {}) as Json;
  const allowed = Object.keys(unrouted).filter((code) => code === String(verdict) || !['404', '405'].includes(code));
  const what = verdict === 404 ? 'not a path of the document' : `${answer.method} is not an operation of this path`;
  if (!allowed.includes(String(answer.status))) {
    return [answer.status === verdict
      ? `${what}, and the document describes no such answer (#/x-unrouted-responses/${verdict})`
      : `${what}, yet the answer is ${answer.status}, not ${allowed.join(' or ') || verdict} (#/x-unrouted-responses)`];
  }
  const response = unrouted[answer.status] as Json;
  const where = pointer('x-unrouted-responses', String(answer.status));
  return checkAgainst(response, where, answer, (body) => {
    const validate = plainAjv.compile(response.content['application/json'].schema);
    return validate(body) ? [] : ajvProblems(validate.errors, `${where}/content/application~1json/schema`);
  }, () => {
    const headers = headerObject(answer.headers);
    return Object.entries<Json>(response.headers ?? {}).flatMap(([name, header]) => {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return header.required ? [`header ${name} missing (${where}/headers/${name})`] : [];
      const validate = plainAjv.compile(header.schema);
      return validate(value) ? [] : ajvProblems(validate.errors, `${where}/headers/${name}/schema`, `header ${name}: `);
    });
  });
}

function checkOperation(operation: Operation, answer: ReceivedAnswer): string[] {
  const responses = (operation.responses ?? {}) as Json;
  const code = String(answer.status);
  const key = [code, `${code[0]}XX`, 'default'].find((k) => k in responses);
  const operationPointer = pointer('paths', operation.path, operation.method);
  if (!key) return [`status ${code} is not documented (${operationPointer}/responses lists ${Object.keys(responses).join(', ')})`];
  const where = `${operationPointer}/responses/${key}`;
  const response = responses[key] as Json;
  return checkAgainst(response, where, answer, (body) => {
    const result = api.validator.validateResponse(body, operation, answer.status);
    return ajvProblems(result.errors as any, `${where}/content/application~1json/schema`);
  }, () => {
    const present = headerObject(answer.headers);
    const missing = Object.entries<Json>(response.headers ?? {})
      .filter(([name, header]) => header.required && present[name.toLowerCase()] === undefined)
      .map(([name]) => `header ${name} missing (${where}/headers/${name})`);
    // openapi-backend's 'any' match: the headers the response lists, where present, match their schemas. It
    // validates { headers: {...} } with lower-cased names; its paths are put back into the document's terms.
    const result = api.validator.validateResponseHeaders(present, operation, { statusCode: answer.status, setMatchType: 'any' as any });
    const named = Object.fromEntries(Object.keys(response.headers ?? {}).map((name) => [name.toLowerCase(), name]));
    return [...missing, ...((result.errors ?? []) as Array<{ schemaPath: string; message?: string }>).map((e) => {
      const [, header = '?', keyword = ''] = /^#\/properties\/headers\/properties\/([^/]+)\/?(.*)$/.exec(e.schemaPath) ?? [];
      return `header ${named[header] ?? header} ${e.message} (schema ${where}/headers/${named[header] ?? header}/schema/${keyword})`;
    })];
  });
}

/**
 * The operation a request reaches: the document's own path first (the seed's `POST /market/` is one), else, as
 * the document says, the path without its trailing slash (CloudFront strips it before API Gateway routes), so
 * `GET /market/` is `GET /market`. Memoized: the router's matching is most of a check's cost.
 */
function matchOperation(request: { method: string; path: string; query: string; headers: {} }): Operation {
  const key = `${request.method} ${request.path}`;
  if (!matched.has(key)) {
    try {
      matched.set(key, route(request));
    } catch (error) {
      matched.set(key, error as Error);
    }
  }
  const found = matched.get(key)!;
  if (found instanceof Error) throw found;
  return found;
}
const matched = new Map<string, Operation | Error>();

function route(request: { method: string; path: string; query: string; headers: {} }): Operation {
  try {
    return api.router.matchOperation(request, true) as Operation;
  } catch (error) {
    const stripped = request.path.replace(/\/+$/, '');
    if (stripped === request.path || stripped === '') throw error;
    return api.router.matchOperation({ ...request, path: stripped }, true) as Operation;
  }
}

/** What the document says is wrong with this answer: nothing, or one line per problem. */
export async function responseViolations(answer: ReceivedAnswer): Promise<string[]> {
  await ready;
  const url = new URL(answer.path, 'http://localhost');
  const request = { method: answer.method.toLowerCase(), path: url.pathname, query: url.search.slice(1), headers: {} };
  try {
    return checkOperation(matchOperation(request), answer);
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('405')) {
      // A CORS preflight is API Gateway's, answered before any route (and outside what OpenAPI describes).
      if (answer.method === 'OPTIONS' && answer.status === 204) return [];
      return checkUnrouted(405, answer);
    }
    if (message.startsWith('404')) return checkUnrouted(404, answer);
    throw error;
  }
}

// Measuring a document: OPENAPI_CHECK=report records violations without failing the call; OPENAPI_CHECK_LOG=<file>
// gets a JSON line per answer checked (so a test file that times out still counts).
const testFile = process.argv.find((arg) => arg.endsWith('.test.ts')) ?? process.argv[1];
function record(where: string, problems: string[]): void {
  if (process.env.OPENAPI_CHECK_LOG) appendFileSync(process.env.OPENAPI_CHECK_LOG, `${JSON.stringify({ file: testFile, where, problems })}\n`);
}

/** The local runtime's own routes (local/local-routes.ts): not the API's, kept out of the document and the stack. */
const localOnly = /^\/(openapi\.json|local\/)/;

/** Checks an answer a test received; a violation fails the call (and so the test), naming route, status and schema path. */
export async function checkAnswer(answer: ReceivedAnswer): Promise<void> {
  if (localOnly.test(answer.path)) return;
  const problems = await responseViolations(answer);
  const where = `${answer.method} ${answer.path.split('?')[0]} -> ${answer.status}`;
  record(where, problems);
  if (problems.length === 0 || process.env.OPENAPI_CHECK === 'report') return;
  throw new Error(`The answer breaks the OpenAPI document: ${where}\n  ${problems.join('\n  ')}\n  body: ${answer.text.slice(0, 300)}`);
}
