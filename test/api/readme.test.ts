// The README's curl session ("Calling the API locally") run as written, with bash and curl, against the local
// marketplace with the small seed: every curl line's trailing comment states its answer (`# 201`, `# 409 CODE`),
// and each is checked: the status, the error code, and a success body against the route's response schema.
// LISTING_ID, OFFER_ID and AUCTION_ID are the ids in the latest answer that carried one, as a reader would paste.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { findRoute } from '../../functions/routes.js';
import { routeSchemas } from '../../functions/schemas/route-schemas.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

const run = promisify(execFile);

/** The first ```bash block after the heading. */
function readmeBlock(heading: string): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf(`## ${heading}`));
  const block = /```bash\n([\s\S]*?)```/.exec(section);
  assert.ok(block, `a bash block under "${heading}"`);
  return block[1]!.split('\n');
}

interface Example { line: string; status: number; code: string | undefined }

const lines = readmeBlock('Calling the API locally');
const prelude = lines.filter((line) => line.trim() && !line.startsWith('#') && !line.startsWith('curl ') && !line.startsWith('B='));
const examples: Example[] = lines.filter((line) => line.startsWith('curl ')).map((line) => {
  const expected = /#\s*(\d{3})(?:\s+([A-Z][A-Z_]+)\b)?[^#]*$/.exec(line);
  assert.ok(expected, `the README states the answer of: ${line}`);
  return { line, status: Number(expected[1]), code: expected[2] };
});

let market: TestMarketplace;
/** The prelude's variables and functions, evaluated once (its token is minted once, as in a reader's shell). */
let shell: string;
before(async () => {
  market = await startTestMarketplace();
  const names = ['B', ...prelude.map((line) => /^([A-Z_][A-Z0-9_]*)=/.exec(line)?.[1]).filter((name) => name !== undefined)];
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', [`B=${market.url}`, ...prelude, `declare -p ${names.join(' ')}`, 'declare -f'].join('\n')]);
  shell = stdout;
});
after(async () => { await market?.stop(); });

describe('the README', () => {
  it('answers each curl example of "Calling the API locally" as the README says', async () => {
    assert.ok(examples.length >= 30, `${examples.length} examples`);
    const ids: Record<string, string> = {};
    const failures: string[] = [];
    for (const { line, status, code } of examples) {
      const command = line.replace(/\b(LISTING_ID|OFFER_ID|AUCTION_ID)\b/g, (name) => ids[name] ?? name).replace(/^curl /, `curl -w '\\n%{http_code}' `);
      const script = `${shell}\n${command}`;
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script]);
      const answer = stdout.slice(0, stdout.lastIndexOf('\n'));
      const answered = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
      let body: any;
      try {
        body = JSON.parse(answer);
      } catch {
        body = answer;
      }
      const where = `${line}\n  → ${answered} ${answer.slice(0, 300)}`;
      if (answered !== status || (code !== undefined && body?.error?.code !== code)) {
        failures.push(where);
        continue;
      }
      if (status < 300) {
        const method = /-X (\w+)/.exec(line)?.[1] ?? 'GET';
        const path = /\$B(\/[^"' ?]*)/.exec(command)![1]!.replace(/\$\w+/g, '');
        const match = findRoute(method, path);
        assert.equal(match.kind, 'route', where);
        const schema = match.kind === 'route' ? routeSchemas[match.route.id] : undefined;
        const parsed = schema?.response.safeParse(body);
        if (parsed && !parsed.success) failures.push(`${where}\n  not the route's response: ${parsed.error.message.slice(0, 300)}`);
      }
      for (const [field, name] of [['listingId', 'LISTING_ID'], ['offerId', 'OFFER_ID'], ['auctionId', 'AUCTION_ID']] as const) {
        if (typeof body?.[field] === 'string') ids[name] = body[field];
      }
    }
    assert.deepEqual(failures, []);
  });
});
