// The OpenAPI document against Redocly CLI's `recommended` ruleset for OpenAPI 3.1 (packages/core/src/config/
// recommended.ts in Redocly/redocly-cli): redocly is not installed here, so each rule the document could break is
// checked as the rule's source checks it. Every error-level rule, and the warnings that apply to this document.
// The checks are run on broken copies too, so each can fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../functions/schemas/openapi-document.js';
import { routes } from '../../functions/routes.js';

type Json = Record<string, any>;
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every schema object in the document (operation parameters, bodies, responses, components), nested ones too. */
function schemas(document: Json): Json[] {
  const found: Json[] = [];
  const walk = (schema: unknown) => {
    if (!schema || typeof schema !== 'object') return;
    const s = schema as Json;
    found.push(s);
    for (const key of ['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'contentSchema']) walk(s[key]);
    for (const key of ['properties', 'patternProperties', '$defs']) for (const child of Object.values(s[key] ?? {})) walk(child);
    for (const key of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) for (const child of s[key] ?? []) walk(child);
  };
  for (const item of Object.values(document.paths ?? {}) as Json[]) {
    for (const method of methods) {
      const op = item[method];
      if (!op) continue;
      for (const parameter of op.parameters ?? []) walk(parameter.schema);
      for (const media of Object.values(op.requestBody?.content ?? {}) as Json[]) walk(media.schema);
      for (const response of Object.values(op.responses ?? {}) as Json[]) for (const media of Object.values(response.content ?? {}) as Json[]) walk(media.schema);
    }
  }
  for (const schema of Object.values(document.components?.schemas ?? {})) walk(schema);
  return found;
}

/** A response or other object behind a local $ref. */
function resolveRef(document: Json, node: Json): Json {
  if (typeof node?.$ref !== 'string') return node;
  return node.$ref.slice(2).split('/').reduce((at: any, key: string) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document) ?? {};
}

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array'
  : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value);
const matchesType = (value: unknown, type: string) => jsonType(value) === type || (type === 'number' && jsonType(value) === 'integer');

/** The `no-ambiguous-paths` rule's own test: same length, literal segments equal, as many variables on each side. */
function ambiguous(a: string, b: string): boolean {
  const [pa, pb] = [a.split('/'), b.split('/')];
  if (pa.length !== pb.length) return false;
  let [va, vb] = [0, 0];
  for (let i = 0; i < pa.length; i++) {
    const [isA, isB] = [/^{.+?}$/.test(pa[i]!), /^{.+?}$/.test(pb[i]!)];
    if (isA || isB) { va += Number(isA); vb += Number(isB); continue; }
    if (pa[i] !== pb[i]) return false;
  }
  return va === vb;
}

/**
 * Problems Redocly would report that this document keeps on purpose, as a `.redocly.lint-ignore.yaml` lists them
 * (rule: locations): the seed's clients call POST /market/, /auctions/ and /presale/ with the slash, so those are
 * paths of the document, and their answers are described and checked.
 */
const ignored: Record<string, string[]> = {
  'no-path-trailing-slash': routes.flatMap((route) => (route.seedPath ? [route.seedPath] : [])),
};

/** Ajv for JSON Schema 2020-12, the dialect of OpenAPI 3.1 schemas (Redocly checks examples with Ajv too). */
function schemaValidator(document: Json) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return (schema: Json, value: unknown): string | null => {
    const validate = ajv.compile({ ...schema, components: document.components });
    return validate(value) ? null : ajv.errorsText(validate.errors);
  };
}

/** Problems as `severity rule: where: what`. */
function lint(document: Json): string[] {
  const problems: string[] = [];
  const validateSchema = schemaValidator(document);
  const error = (rule: string, where: string, what: string) => problems.push(`error ${rule}: ${where}: ${what}`);
  const warn = (rule: string, where: string, what: string) => problems.push(`warn ${rule}: ${where}: ${what}`);

  // struct (the parts this document has)
  if (!/^3\.1\.\d+$/.test(document.openapi ?? '')) error('struct', 'openapi', `not 3.1.x: ${document.openapi}`);
  if (typeof document.info?.title !== 'string' || typeof document.info?.version !== 'string') error('struct', 'info', 'title and version are required');
  if (!document.info?.license) warn('info-license', 'info', 'no license');
  for (const tag of document.tags ?? []) if (!tag.description) warn('tag-description', `tags.${tag.name}`, 'no description');

  // servers
  if (!Array.isArray(document.servers) || document.servers.length === 0) error('no-empty-servers', 'servers', 'no servers');
  for (const [i, server] of (document.servers ?? []).entries()) {
    if (typeof server.url !== 'string') { error('struct', `servers[${i}]`, 'url is required'); continue; }
    if (server.url.endsWith('/') && server.url !== '/') error('no-server-trailing-slash', `servers[${i}]`, server.url);
    if (/example\.com/.test(server.url)) warn('no-server-example.com', `servers[${i}]`, server.url);
    for (const [, name] of server.url.matchAll(/{([^}]+)}/g)) {
      if (!server.variables?.[name!]) error('no-undefined-server-variable', `servers[${i}]`, `{${name}} is not defined`);
    }
    for (const [name, variable] of Object.entries<Json>(server.variables ?? {})) {
      if (typeof variable.default !== 'string') error('struct', `servers[${i}].variables.${name}`, 'default is required');
      if (Array.isArray(variable.enum) && variable.enum.length === 0) error('no-server-variables-empty-enum', `servers[${i}].variables.${name}`, 'empty enum');
    }
  }

  // paths and operations
  const paths = Object.keys(document.paths ?? {});
  const normalized = new Map<string, string>();
  const operationIds = new Map<string, string>();
  const referencedSchemes = new Set<string>();
  let everyOperationHasSecurity = true;
  for (const [i, path] of paths.entries()) {
    if (path.length > 1 && path.endsWith('/') && !ignored['no-path-trailing-slash']!.includes(path)) error('no-path-trailing-slash', path, 'trailing slash');
    if (path.includes('?')) error('path-not-include-query', path, 'query in the path');
    if (path.includes('{}')) error('path-declaration-must-exist', path, 'empty parameter declaration');
    const shape = path.replace(/{[^}]*}/g, '{}');
    if (normalized.has(shape)) error('no-identical-paths', path, `identical to ${normalized.get(shape)}`);
    normalized.set(shape, path);
    for (const earlier of paths.slice(0, i)) if (ambiguous(earlier, path)) warn('no-ambiguous-paths', path, `ambiguous with ${earlier}`);
    const templated = [...path.matchAll(/{([^}]+)}/g)].map((m) => m[1]!);
    const item = document.paths[path] as Json;
    for (const method of methods) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) warn('operation-operationId', where, 'no operationId');
      else {
        if (operationIds.has(op.operationId)) error('operation-operationId-unique', where, `${op.operationId} also on ${operationIds.get(op.operationId)}`);
        operationIds.set(op.operationId, where);
        if (!/^[A-Za-z0-9-._~:/?#[\]@!$&'()*+,;=]*$/.test(op.operationId)) error('operation-operationId-url-safe', where, op.operationId);
      }
      if (typeof op.summary !== 'string' || op.summary.length === 0) error('operation-summary', where, 'no summary');
      for (const tag of op.tags ?? []) {
        if (!(document.tags ?? []).some((t: Json) => t.name === tag)) error('operation-tag-defined', where, `tag ${tag} is not defined`);
      }
      const media = [
        ...Object.entries<Json>(op.requestBody?.content ?? {}).map(([type, m]) => [`${where} requestBody ${type}`, m] as const),
        ...Object.entries<Json>(op.responses ?? {}).flatMap(([code, r]) => Object.entries<Json>(resolveRef(document, r).content ?? {})
          .map(([type, m]) => [`${where} ${code} ${type}`, m] as const)),
      ];
      for (const [at, m] of media) {
        if (m.example === undefined || !m.schema) continue;
        const problem = validateSchema(m.schema, m.example);
        if (problem) warn('no-invalid-media-type-examples', at, problem);
      }
      for (const parameter of op.parameters ?? []) {
        const problem = parameter.example === undefined ? null : validateSchema(parameter.schema, parameter.example);
        if (problem) warn('no-invalid-parameter-examples', `${where} ${parameter.name}`, problem);
      }
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])] as Json[];
      const seen = new Set<string>();
      for (const parameter of op.parameters ?? []) {
        const key = `${parameter.in}:${parameter.name}`;
        if (seen.has(key)) error('operation-parameters-unique', where, key);
        seen.add(key);
        if (typeof parameter.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(parameter.in)) error('struct', where, `bad parameter ${JSON.stringify(parameter)}`);
        if (!parameter.schema && !parameter.content) error('struct', where, `parameter ${parameter.name} has no schema`);
        if (parameter.in === 'path' && parameter.required !== true) error('struct', where, `path parameter ${parameter.name} must be required`);
      }
      const pathParameters = parameters.filter((p) => p.in === 'path').map((p) => p.name as string);
      for (const name of templated) if (!pathParameters.includes(name)) error('path-parameters-defined', where, `{${name}} is not a path parameter`);
      for (const name of pathParameters) if (!templated.includes(name)) error('path-parameters-defined', where, `path parameter ${name} is not in the path`);
      if (op.security === undefined) everyOperationHasSecurity = false;
      for (const requirement of op.security ?? []) for (const name of Object.keys(requirement)) referencedSchemes.add(name);
      const codes = Object.keys(op.responses ?? {});
      if (codes.length === 0) error('struct', where, 'no responses');
      if (!codes.some((code) => /2[Xx0-9]{2}/.test(code))) warn('operation-2xx-response', where, 'no 2xx response');
      if (!codes.some((code) => /4[Xx0-9]{2}/.test(code))) warn('operation-4xx-response', where, 'no 4xx response');
      for (const [code, response] of Object.entries<Json>(op.responses ?? {})) {
        if (typeof resolveRef(document, response).description !== 'string') error('struct', `${where} ${code}`, 'a response needs a description');
      }
    }
  }
  for (const requirement of document.security ?? []) for (const name of Object.keys(requirement)) referencedSchemes.add(name);
  if (!document.security && !everyOperationHasSecurity) error('security-defined', 'operations', 'an operation has no security and there is none at the root');
  for (const name of referencedSchemes) {
    if (!document.components?.securitySchemes?.[name]) error('security-defined', `security ${name}`, 'no such security scheme');
  }

  // components
  for (const [section, map] of Object.entries<Json>(document.components ?? {})) {
    for (const name of Object.keys(map)) {
      if (!/^[a-zA-Z0-9.\-_]+$/.test(name)) error('spec-components-invalid-map-name', `components.${section}.${name}`, 'invalid name');
    }
  }
  const text = JSON.stringify(document);
  for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
    const target = ref!.startsWith('#/') ? ref!.slice(2).split('/').reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document) : undefined;
    if (target === undefined) error('no-unresolved-refs', ref!, 'does not resolve');
  }
  for (const name of Object.keys(document.components?.schemas ?? {})) {
    if (!text.includes(`"#/components/schemas/${name}"`)) warn('no-unused-components', `components.schemas.${name}`, 'never referenced');
  }
  for (const name of Object.keys(document.components?.responses ?? {})) {
    if (!text.includes(`"#/components/responses/${name}"`)) warn('no-unused-components', `components.responses.${name}`, 'never referenced');
  }
  for (const name of Object.keys(document.components?.securitySchemes ?? {})) {
    if (!referencedSchemes.has(name)) warn('no-unused-components', `components.securitySchemes.${name}`, 'never used');
  }

  // schemas
  for (const schema of schemas(document)) {
    const where = JSON.stringify(schema).slice(0, 80);
    if (Array.isArray(schema.enum) && schema.type) {
      const types = [schema.type].flat() as string[];
      for (const value of schema.enum) if (!types.some((type) => matchesType(value, type))) error('no-enum-type-mismatch', where, `${JSON.stringify(value)} is not ${types}`);
    }
    if (schema.type === 'object' && schema.items) error('no-schema-type-mismatch', where, 'object with items');
    if (schema.type === 'array' && schema.properties) error('no-schema-type-mismatch', where, 'array with properties');
    for (const name of schema.required ?? []) {
      if (schema.properties && !(name in schema.properties)) warn('no-required-schema-properties-undefined', where, `${name} is required but not defined`);
    }
    if ((schema.minimum !== undefined && schema.exclusiveMinimum !== undefined) || (schema.maximum !== undefined && schema.exclusiveMaximum !== undefined)) {
      warn('no-mixed-number-range-constraints', where, 'inclusive and exclusive bounds together');
    }
  }
  return problems;
}

describe('the OpenAPI document against Redocly\'s recommended rules', () => {
  for (const serverUrl of [undefined, 'http://localhost:3000']) {
    it(`has no error and no warning (${serverUrl ? 'served locally' : 'npm run openapi'})`, () => {
      assert.deepEqual(lint(openApiDocument(serverUrl)), []);
    });
  }

  it('always names a server: the stage\'s CloudFront URL as a variable, or the URL it was asked for, without a trailing slash', () => {
    const [deployed] = openApiDocument().servers as Json[];
    assert.equal(deployed!.url, 'https://{cloudFrontDomain}');
    assert.match(deployed!.variables.cloudFrontDomain.description, /CloudFrontUrl/);
    assert.deepEqual(openApiDocument('https://d1.cloudfront.net/').servers, [{ url: 'https://d1.cloudfront.net' }]);
  });

  it('gives every operation a unique operationId (its route id), a summary, a 4xx response and security', () => {
    const document = openApiDocument();
    for (const route of routes) {
      const op = (document.paths as Json)[route.path][route.method.toLowerCase()];
      assert.equal(op.operationId, route.id);
      assert.ok(op.summary);
      assert.ok(Object.keys(op.responses).some((code) => code.startsWith('4')), route.id);
      assert.deepEqual(op.security, route.auth === 'user' ? [{ bearer: [] }] : []);
    }
  });

  it('finds each kind of problem in a broken copy (the checks can fail)', () => {
    const broken = structuredClone(openApiDocument()) as Json;
    delete broken.servers;
    const topup = broken.paths['/users/balance-topups'];
    topup.get.operationId = topup.post.operationId;
    delete topup.get.summary;
    delete topup.get.security;
    topup.post.security = [{ cognito: [] }];
    topup.post.responses = { 201: topup.post.responses['201'] };
    broken.paths['/market/listings/{listingId}'].delete.parameters = [];
    broken.paths['/offers/'] = broken.paths['/offers'];
    broken.paths['/offers/{id}'] = broken.paths['/offers/{offerId}'];
    broken.components.schemas.Unused = { type: 'array', properties: {}, enum: [1] };
    broken.components.responses.Spare = { description: 'never referenced' };
    broken.paths['/accounts'].get.tags = ['Nowhere'];
    broken.tags.push({ name: 'Bare' });
    broken.paths['/offers'].post.requestBody.content['application/json'].example = { amount: 'lots' };
    broken.paths['/accounts'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Missing' };
    const rules = new Set(lint(broken).map((problem) => problem.split(':')[0]));
    for (const rule of [
      'error no-empty-servers', 'error operation-operationId-unique', 'error operation-summary', 'error security-defined',
      'warn operation-4xx-response', 'error path-parameters-defined', 'error no-path-trailing-slash', 'error no-identical-paths',
      'error no-schema-type-mismatch', 'error no-enum-type-mismatch', 'warn no-unused-components', 'error no-unresolved-refs',
      'error operation-tag-defined', 'warn tag-description', 'warn no-invalid-media-type-examples',
    ]) assert.ok(rules.has(rule), `${rule} among ${[...rules].join(', ')}`);
    assert.ok(lint(broken).includes('warn no-unused-components: components.responses.Spare: never referenced'));
  });
});

describe('the OpenAPI document describes every answer the API gives (issue 22, section 2)', () => {
  const document = openApiDocument() as Json;
  const resolve = (node: Json) => resolveRef(document, node);
  const operations = routes.map((route) => ({ route, op: document.paths[route.path][route.method.toLowerCase()] as Json }));
  const validateSchema = schemaValidator(document);

  it("lists the seed's own paths (POST /market/, /auctions/, /presale/), each the route's operation with its answers", () => {
    const seeded = routes.filter((route) => route.seedPath);
    assert.deepEqual(seeded.map((route) => `${route.method} ${route.seedPath}`), ['POST /market/', 'POST /auctions/', 'POST /presale/']);
    for (const route of seeded) {
      const [plain, slashed] = [document.paths[route.path].post, document.paths[route.seedPath!]?.post];
      assert.ok(slashed, route.seedPath);
      assert.equal(slashed.operationId, `${route.id}WithSlash`);
      assert.deepEqual(slashed.responses, plain.responses);
      assert.deepEqual(slashed.requestBody, plain.requestBody);
    }
  });

  it('gives readFeed its 403 (NOT_YOUR_CHANNEL), and every operation with a body 413 and 415', () => {
    const readFeed = operations.find(({ route }) => route.id === 'readFeed')!.op;
    assert.match(resolve(readFeed.responses['403']).description, /NOT_YOUR_CHANNEL/);
    const withBody = operations.filter(({ op }) => op.requestBody);
    assert.equal(withBody.length, 17);
    for (const { route, op } of withBody) {
      assert.ok(op.responses['413'] && op.responses['415'], route.id);
      assert.ok(resolve(op.responses['413']).content['application/json'], route.id);
    }
    for (const { route, op } of operations) assert.ok(op.responses['413'] && op.responses['429'] && op.responses['500'] && op.responses['503'], route.id);
  });

  it("describes API Gateway's {\"message\"} answers on 401 and 429, and Retry-After on 429 and 503", () => {
    const first = operations.find(({ route }) => route.auth === 'user')!.op;
    const [unauthorized, throttled, unavailable] = ['401', '429', '503'].map((code) => resolve(first.responses[code]));
    const gateway = { message: 'Unauthorized' };
    const error = { error: { code: 'UNAUTHORIZED', message: 'A valid bearer token is required' } };
    for (const response of [unauthorized!, throttled!]) {
      const schema = response.content['application/json'].schema;
      assert.equal(validateSchema(schema, gateway), null);
      assert.equal(validateSchema(schema, error), null);
      assert.notEqual(validateSchema(schema, { message: 1 }), null);
    }
    assert.deepEqual(throttled!.headers['Retry-After'].schema.type, 'integer');
    assert.equal(unavailable!.headers['Retry-After'].required, true);
    assert.equal(validateSchema(unavailable!.content['application/json'].schema, gateway) !== null, true, '503 is always the error shape');
  });

  it('documents the bodies accepted: JSON, and the same JSON under text/plain and form; required where {} is refused', () => {
    const byId = Object.fromEntries(operations.map(({ route, op }) => [route.id, op]));
    for (const id of ['createOffer', 'createListing', 'createTopup', 'sweepCollection', 'placeBid', 'purchasePresale', 'postMarketFloor']) {
      assert.equal(byId[id].requestBody.required, true, id);
    }
    for (const id of ['listMarketListings', 'listAuctions', 'listPresales', 'acceptOffer']) {
      assert.equal(byId[id].requestBody.required, false, id);
    }
    for (const { op } of operations.filter(({ op }) => op.requestBody)) {
      const content = op.requestBody.content;
      assert.deepEqual(Object.keys(content), ['application/json', 'text/plain', 'application/x-www-form-urlencoded']);
      assert.deepEqual(content['text/plain'].schema.contentSchema, content['application/json'].schema);
    }
  });

  it('states the Idempotency-Key rule: 1-128 printable ASCII characters, no space', () => {
    const parameters = operations.flatMap(({ op }) => (op.parameters as Json[]).filter((p) => p.name === 'Idempotency-Key'));
    assert.ok(parameters.length > 0);
    for (const { schema } of parameters) {
      for (const good of ['k', 'topup-001', '!'.repeat(128), '~key~']) assert.equal(validateSchema(schema, good), null, good);
      for (const bad of ['', 'a b', 'x'.repeat(129), 'clé', 'tab\t']) assert.notEqual(validateSchema(schema, bad), null, JSON.stringify(bad));
    }
  });

  it('tags every operation and gives every request body an example', () => {
    for (const { route, op } of operations) {
      assert.equal(op.tags?.length, 1, route.id);
      if (op.requestBody) assert.ok(op.requestBody.content['application/json'].example, route.id);
    }
  });
});
