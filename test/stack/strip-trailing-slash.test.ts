// The CloudFront Function's code, run in node the way CloudFront runs it: a bare `handler(event)`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { stripTrailingSlash } from '../../functions/routes.js';
import { stripTrailingSlashSource } from '../../lib/marketplace-edge.js';

interface ViewerRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
}

const source = readFileSync(stripTrailingSlashSource, 'utf8');
// A fresh context with no Node globals: the code may use nothing CloudFront's runtime lacks.
const handler = runInNewContext(`${source}\nhandler;`, {}) as (event: { request: ViewerRequest }) => ViewerRequest;

const run = (uri: string, method = 'GET') => handler({
  request: { method, uri, querystring: { limit: { value: '5' } }, headers: { host: { value: 'example.cloudfront.net' } } },
});

test('strips one or more trailing slashes', () => {
  assert.equal(run('/market/').uri, '/market');
  assert.equal(run('/market//').uri, '/market');
  assert.equal(run('/market/floor/', 'POST').uri, '/market/floor');
  assert.equal(run('/auctions/a1/bids/').uri, '/auctions/a1/bids');
});

test('leaves the root and slash-free paths alone', () => {
  assert.equal(run('/').uri, '/');
  assert.equal(run('//').uri, '/');
  assert.equal(run('/market').uri, '/market');
  assert.equal(run('/market/collections').uri, '/market/collections');
});

test('returns the request itself: method, query string and headers untouched', () => {
  const request = run('/presale/', 'POST');
  assert.equal(request.method, 'POST');
  assert.deepEqual(request.querystring, { limit: { value: '5' } });
  assert.deepEqual(request.headers, { host: { value: 'example.cloudfront.net' } });
});

test('agrees with the local gateway (functions/routes.ts stripTrailingSlash) on every path shape', () => {
  const segments = ['', 'market', 'floor', '{id}', 'a b', '%2F'];
  const paths = new Set<string>(['/', '//', '///']);
  for (const a of segments) for (const b of segments) for (const tail of ['', '/', '//']) paths.add(`/${a}/${b}${tail}`);
  for (const path of paths) assert.equal(run(path).uri, stripTrailingSlash(path), path);
});

test('is small and self-contained (CloudFront Functions: 10 KB, no modules)', () => {
  assert.ok(Buffer.byteLength(source) < 10 * 1024);
  assert.doesNotMatch(source, /\b(require|import|export)\b/);
});
