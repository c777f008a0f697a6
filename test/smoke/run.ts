/**
 * `npm run smoke -- --target URL [--token T] [--origin URL]`: after a deploy (docs/deploy.md, "Check a deploy"), the
 * seed's nine calls as its clients make them (scenario.json's endpoints, paths from the route table) and a read-only
 * trading check against a stage. Exits 1 on any failed check, 2 on bad arguments.
 *
 * - Public calls must answer 200 with their list or floors. User calls need --token (a Cognito access token): 200
 *   with it, and without it the 401 of API Gateway's JWT authorizer, which the smoke then checks instead.
 * - Trading, read-only: buying a listing that does not exist answers 404 LISTING_NOT_FOUND from the buy function (a
 *   write function, through its live alias, reading the table) and the caller's balance is the same before and after;
 *   a top-up without an Idempotency-Key is refused with 400 before anything is written. Without a token: 401.
 * - --origin (the stack output ApiOriginUrl): the API's own endpoint must refuse a call that did not come through
 *   CloudFront with 403 ORIGIN_NOT_ALLOWED.
 */
import { parseArgs } from 'node:util';
import type { Route } from '../../functions/routes.js';
import { expandFixed, loadScenario, routeById } from '../load/scenario.js';

const usage = `Usage: npm run smoke -- --target URL [--token TOKEN] [--origin URL] [--timeout-ms 10000]

  --target URL      the stage's public base URL (stack output CloudFrontUrl)
  --token TOKEN     a user's access token: user routes are checked for 200 (without it, for 401)
  --origin URL      the API's own endpoint (stack output ApiOriginUrl): must refuse with 403
  --timeout-ms MS   per request (default 10000)
`;

interface Check { name: string; ok: boolean; detail: string }

interface Answer { status: number; body: any; ms: number }

async function smoke(options: { target: string; token?: string | undefined; origin?: string | undefined; timeoutMs: number }): Promise<Check[]> {
  const checks: Check[] = [];
  const base = options.target.replace(/\/+$/, '');
  const call = async (method: string, url: string, init: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const started = performance.now();
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : null; } catch { /* not JSON: kept as text */ }
    return { status: response.status, body, ms: Math.round(performance.now() - started) };
  };
  const check = async (name: string, run: () => Promise<string>) => {
    try {
      checks.push({ name, ok: true, detail: await run() });
    } catch (error) {
      checks.push({ name, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };
  const expect = (answer: Answer, status: number, what = '') => {
    if (answer.status !== status) throw new Error(`${answer.status} (expected ${status}${what}): ${JSON.stringify(answer.body).slice(0, 300)}`);
  };

  // Every read of the load scenario, each route once with its first request shape: the seed's nine endpoints
  // (scenario.json lists the market list twice: plain and filtered) and the market-depth reads.
  const scenario = loadScenario();
  const tasks = scenario.tasks.filter((task, i) => scenario.tasks.findIndex((other) => other.route === task.route) === i);
  let collections: string[] = [];
  await check('GET /market/collections (the ids the other calls use)', async () => {
    const answer = await call('GET', `${base}/market/collections?limit=10`);
    expect(answer, 200);
    collections = (answer.body.items as { collectionId: string }[]).map((c) => c.collectionId);
    return `${answer.ms} ms, ${collections.length} collections`;
  });
  const ids = collections.length > 0 ? collections : ['col-1'];
  for (const task of tasks) {
    const route: Route = routeById(task.route);
    const variant = task.variants[0];
    let path = route.seedPath ?? route.path;
    for (const [name, value] of Object.entries(expandFixed(variant?.path ?? {}, ids))) path = path.replace(`{${name}}`, encodeURIComponent(value));
    const query = variant?.query ? `?${new URLSearchParams(Object.fromEntries(Object.entries(expandFixed(variant.query, ids)).map(([k, v]) => [k, String(v)])))}` : '';
    const body = route.method === 'GET' ? undefined : expandFixed(variant?.body ?? {}, ids);
    const user = route.auth === 'user';
    await check(`${route.method} ${path}${query}${user && !options.token ? ' without a token' : ''}`, async () => {
      const answer = await call(route.method, `${base}${path}${query}`, { token: user ? options.token : undefined, body });
      if (user && !options.token) {
        expect(answer, 401, ': the JWT authorizer');
        return `${answer.ms} ms, 401 (pass --token to check the answer)`;
      }
      expect(answer, 200);
      const b = answer.body ?? {};
      const list = b.items ?? b.floors ?? b.traits ?? b.levels ?? b.points ?? b.holders;
      if (!Array.isArray(list) && !(user && typeof b.userId === 'string')) throw new Error(`200 without a list: ${JSON.stringify(answer.body).slice(0, 200)}`);
      return `${answer.ms} ms${Array.isArray(list) ? `, ${list.length} items` : ''}`;
    });
  }

  // Trading, read-only: the write functions answer, and nothing moves.
  const missing = `/market/listings/smoke-no-such-listing-${Date.now()}/buy`;
  if (options.token) {
    await check('trading: buying a listing that does not exist is 404, the balance unchanged', async () => {
      const before = await call('GET', `${base}/accounts`, { token: options.token });
      expect(before, 200, ': GET /accounts');
      const buy = await call('POST', `${base}${missing}`, { token: options.token });
      expect(buy, 404);
      if (buy.body?.error?.code !== 'LISTING_NOT_FOUND') throw new Error(`404 ${JSON.stringify(buy.body)}`);
      const after = await call('GET', `${base}/accounts`, { token: options.token });
      expect(after, 200, ': GET /accounts');
      if (after.body.balance !== before.body.balance || after.body.held !== before.body.held) {
        throw new Error(`the balance moved: ${JSON.stringify(before.body)} -> ${JSON.stringify(after.body)}`);
      }
      return `${buy.ms} ms, balance ${after.body.balance} before and after`;
    });
    await check('trading: a top-up without an Idempotency-Key is refused with 400, nothing credited', async () => {
      const answer = await call('POST', `${base}/users/balance-topups`, { token: options.token, body: { amount: 1 } });
      expect(answer, 400);
      if (answer.body?.error?.code !== 'IDEMPOTENCY_KEY_REQUIRED') throw new Error(`400 ${JSON.stringify(answer.body)}`);
      return `${answer.ms} ms`;
    });
  } else {
    await check('trading: buying without a token is 401', async () => {
      const answer = await call('POST', `${base}${missing}`);
      expect(answer, 401, ': the JWT authorizer');
      return `${answer.ms} ms`;
    });
  }

  if (options.origin) {
    const origin = options.origin.replace(/\/+$/, '');
    await check(`the API's own endpoint refuses what did not come through CloudFront (${origin})`, async () => {
      const answer = await call('GET', `${origin}/market/collections`);
      expect(answer, 403, ': the origin check');
      if (answer.body?.error?.code !== 'ORIGIN_NOT_ALLOWED') throw new Error(`403 ${JSON.stringify(answer.body)}`);
      return `${answer.ms} ms, 403 ORIGIN_NOT_ALLOWED`;
    });
  }
  return checks;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        target: { type: 'string' }, token: { type: 'string' }, origin: { type: 'string' },
        'timeout-ms': { type: 'string', default: '10000' }, help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message} (--help for usage)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const timeoutMs = Number(values['timeout-ms']);
  let wrong: string | undefined;
  if (!values.target) wrong = '--target is required';
  else if (!/^https?:\/\//.test(values.target)) wrong = `--target ${values.target}: must be an http(s) URL`;
  else if (!(timeoutMs > 0)) wrong = `--timeout-ms ${values['timeout-ms']}: must be a positive number`;
  if (wrong || !values.target) {
    process.stderr.write(`${wrong} (--help for usage)\n`);
    return 2;
  }
  console.log(`Smoke test of ${values.target}${values.token ? ' (with a token)' : ' (no token: user routes must answer 401)'}`);
  const checks = await smoke({ target: values.target, token: values.token, origin: values.origin, timeoutMs });
  for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? `All ${checks.length} checks passed.` : `${failed} of ${checks.length} checks failed.`);
  return failed === 0 ? 0 : 1;
}

process.exit(await main());
