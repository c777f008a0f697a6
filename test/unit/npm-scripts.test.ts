// Every npm script answers --help with its usage (exit 0), and an option it does not know with one line naming
// it (exit 2), before it starts anything. Each runs as npm runs it: the package.json command through sh, with
// node_modules/.bin on the PATH and the argument appended; `tsx FILE` as `node --import tsx FILE`, the same
// loader in one process instead of two.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { describe, it } from 'node:test';

const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
// tsc's, cdk's and node's test runner's own command lines (cdk warns about an unknown option, then synthesizes
// anyway; test:conservation:long is `node --test` on one file, whose options are node's).
const theirs = new Set(['typecheck', 'synth', 'test:conservation:long']);

function run(command: string, arg: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', `${command.replace(/(^|\s)tsx\s/, '$1node --import tsx ')} ${arg}`], {
    env: { ...process.env, PATH: `${resolve('node_modules/.bin')}${delimiter}${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  // A script that ignored the argument would start its work: stop it (the assertions then fail).
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((done) => child.once('close', (code) => {
    clearTimeout(timer);
    done({ code, stdout, stderr });
  }));
}

describe('npm scripts', { concurrency: 2 }, () => {
  for (const [name, command] of Object.entries(scripts).filter(([script]) => !theirs.has(script))) {
    it(`${name}: --help prints the usage and exits 0; an unknown option, one line naming it, exit 2`, async () => {
      const help = await run(command, '--help');
      const bad = await run(command, '--no-such-option');
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^Usage: npm (start|test|run [\w:]+)\b/);
      assert.equal(help.stderr, '');
      assert.equal(bad.code, 2, bad.stdout + bad.stderr);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, /^[^\n]*--no-such-option[^\n]*\n$/);
    });
  }
});
