import type { LocalRuntime } from '../../local/runtime.js';
import type { Api } from './contention-scenarios.js';
import { checkAnswer } from './openapi-validator.js';

/** The scenarios' Api over HTTP against a local runtime, with a token per user (and groups) signed once. */
export function runtimeApi(runtime: Pick<LocalRuntime, 'url' | 'issuer'>): Api {
  const tokens = new Map<string, string>();
  const token = async (userId: string, groups?: string[]) => {
    const key = `${userId}|${groups?.join(',') ?? ''}`;
    if (!tokens.has(key)) tokens.set(key, await runtime.issuer.sign({ sub: userId, groups }));
    return tokens.get(key)!;
  };
  const send = async (method: string, path: string, body: unknown, headers: Record<string, string>) => {
    const response = await fetch(`${runtime.url}${path}`, {
      method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    await checkAnswer({ method, path, status: response.status, headers: response.headers, text });
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    call: async (userId, method, path, body, headers = {}, groups) => send(method, path, body, { ...headers, authorization: `Bearer ${await token(userId, groups)}` }),
    get: (path, body) => send(body === undefined ? 'GET' : 'POST', path, body, {}),
  };
}
