// Text a client sends that the marketplace stores and serves back: well-formed UTF-16 only (a lone surrogate
// makes strict JSON parsers reject every list that carries it), and names that show something.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import { routes } from '../../functions/routes.js';
import { routeSchemas } from '../../functions/schemas/route-schemas.js';
import { localClient } from '../../local/table.js';
import { collectAllPages, startTestMarketplace, type ApiAnswer, type TestMarketplace } from '../support/marketplace.js';
import { describeDiff, sampleRequests, settledSnapshot, snapshotDiff, type SampleRequest } from './support.js';

let market: TestMarketplace;
let tokens: { user: string; creator: string };
let samples: Record<string, SampleRequest>;

before(async () => {
  market = await startTestMarketplace();
  const snapshot = await settledSnapshot(market);
  const sampled = sampleRequests(snapshot.map((text) => JSON.parse(text)));
  samples = sampled.requests;
  tokens = { user: await market.token(sampled.user), creator: await market.token(sampled.user, ['creators']) };
});
after(async () => { await market?.stop(); });

function send(request: SampleRequest, body: unknown): Promise<ApiAnswer> {
  return market.call(request.method, request.path, {
    body, headers: request.headers, token: request.as === 'creator' ? tokens.creator : request.as === 'user' ? tokens.user : undefined,
  });
}

const newCollection = (fields: Record<string, unknown>) => send(samples.createCollection!, { ...(samples.createCollection!.body as object), ...fields });

/** The string fields of a body schema, and whether each is a list of strings. */
function stringFields(schema: $ZodType): Array<{ field: string; list: boolean }> {
  const described = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { type?: string; items?: { type?: string } }> };
  return Object.entries(described.properties ?? {}).flatMap(([field, property]): Array<{ field: string; list: boolean }> => {
    if (property.type === 'string') return [{ field, list: false }];
    if (property.type === 'array' && property.items?.type === 'string') return [{ field, list: true }];
    return [];
  });
}

/** A parser as strict as serde_json or Go's: any lone surrogate, in a string or a key, is an error. */
function strictJsonParse(text: string): unknown {
  const walk = (value: unknown, where: string): void => {
    if (typeof value === 'string') assert.ok(!/\p{Cs}/u.test(value), `lone surrogate in ${where}: ${JSON.stringify(value)}`);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`));
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        walk(key, `a key of ${where}`);
        walk(v, `${where}.${key}`);
      }
    }
  };
  const parsed: unknown = JSON.parse(text);
  walk(parsed, '(root)');
  return parsed;
}

/** The whole public list, read after now (`minAsOf`): never a page cached before the items a test just wrote. */
async function publicCollectionList(): Promise<Array<{ collectionId: string; name: string; image: string }>> {
  const minAsOf = new Date().toISOString();
  const { items } = await collectAllPages(async (cursor) => {
    const response = await fetch(`${market.url}/market/collections?limit=100&minAsOf=${minAsOf}${cursor ? `&cursor=${cursor}` : ''}`);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: strictJsonParse(text) as any };
  }, (c: { collectionId: string }) => c.collectionId);
  return items as Array<{ collectionId: string; name: string; image: string }>;
}

function assertRejected(answer: ApiAnswer, field: string, what: string): void {
  assert.equal(answer.status, 400, `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.error.code, 'VALIDATION_FAILED', what);
  const paths = (answer.body.error.details as Array<{ path: string }>).map((d) => d.path);
  assert.ok(paths.some((p) => p === field || p.startsWith(`${field}.`)), `${what}: details name ${JSON.stringify(paths)}, not ${field}`);
}

const loneSurrogates = ['\ud800abc', 'abc\udc00', '\udbff', 'ok \ud83d', '\ude00 ok', '\udc00\ud800'];
const invisibleOnly = [
  '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', ' \u200b\u200c\u200d\u2060\ufeff ', '\u00ad', '\u034f', '\u115f', '\u3164',
  '\uffa0', '\u2800', '\u180e', '\u061c', '\u2066\u2069', '\ufe0f', '\u0301', '\u{e0041}', '\u3000', '\u00a0\u2007\u202f',
];
const withControls = ['a\u0000b', 'two\nlines', 'tab\there', 'ansi \u001b[31mred', 'del\u007f', 'nel\u0085', 'line\u2028sep', 'para\u2029sep'];

describe('text the marketplace stores', () => {
  it('every string a write route stores refuses a lone surrogate with 400 naming the field, and nothing is written', async () => {
    const before0 = await settledSnapshot(market);
    const checked: string[] = [];
    for (const route of routes.filter((r) => r.access === 'write' && r.method !== 'GET')) {
      const schema = routeSchemas[route.id]?.body;
      const sample = samples[route.id];
      if (!schema || !sample) continue;
      for (const { field, list } of stringFields(schema)) {
        for (const hostile of loneSurrogates) {
          const answer = await send(sample, { ...(sample.body as object), [field]: list ? [hostile] : hostile });
          assertRejected(answer, field, `${route.id}.${field} = ${JSON.stringify(hostile)}`);
        }
        checked.push(`${route.id}.${field}`);
      }
    }
    assert.ok(checked.includes('createCollection.name') && checked.includes('createCollection.image'), checked.join(' '));
    const diff = snapshotDiff(before0, await settledSnapshot(market));
    assert.ok(diff.added.length === 0 && diff.removed.length === 0, describeDiff(diff));
  });

  it('refuses collection names that show nothing or carry control characters, and image URLs that are not well-formed text', async () => {
    const before0 = await settledSnapshot(market);
    for (const name of [...invisibleOnly, ...withControls, ...loneSurrogates]) {
      assertRejected(await newCollection({ name }), 'name', `name ${JSON.stringify(name)}`);
    }
    for (const image of ['https://example.com/\ud800.png', 'https://example.com/a\u0000.png', 'https://example.com/a\u007fb.png', 'https://exa\u200bmple.com/x.png']) {
      assertRejected(await newCollection({ image }), 'image', `image ${JSON.stringify(image)}`);
    }
    const diff = snapshotDiff(before0, await settledSnapshot(market));
    assert.ok(diff.added.length === 0 && diff.removed.length === 0, describeDiff(diff));
  });

  it('keeps accepting names in any script, with emoji sequences and zero-width joiners between visible characters', async () => {
    const names = ['Zoë', '👩\u200d💻 Devs', 'العربية', '日本語のコレクション', 'ǅungla', 'a\u200bb', '🏳️\u200d🌈', 'e\u0301'];
    for (const name of names) {
      const answer = await newCollection({ name: `  ${name} ` });
      assert.equal(answer.status, 201, `${JSON.stringify(name)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.name, name);
    }
    const listed = new Set((await publicCollectionList()).map((c) => c.name));
    for (const name of names) assert.ok(listed.has(name), `${JSON.stringify(name)} is listed`);
  });

  it('serves the public collection list as JSON a strict parser accepts, even with a lone surrogate stored before this check existed', async () => {
    const client = localClient(market.runtime.endpoint);
    try {
      await client.send(new PutItemCommand({
        TableName: market.tableName,
        Item: {
          pk: { S: 'COLLECTION#col-legacy' }, sk: { S: 'COLLECTION' }, gsi1pk: { S: 'COLLECTIONS' }, gsi1sk: { S: 'legacy \ud800 name#col-legacy' },
          entity: { S: 'collection' }, collectionId: { S: 'col-legacy' }, name: { S: 'legacy \ud800 name' },
          image: { S: 'https://example.com/\udc00.png' }, creator: { S: 'user-1' }, royaltyBps: { N: '0' },
        },
      }));
    } finally {
      client.destroy();
    }
    const legacy = (await publicCollectionList()).find((c) => c.collectionId === 'col-legacy');
    assert.ok(legacy, 'the legacy collection is listed');
    assert.equal(legacy.name, 'legacy \ufffd name');
    assert.equal(legacy.image, 'https://example.com/\ufffd.png');
  });
});
