import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../local/free-port.js';

const callsPreload = fileURLToPath(new URL('./dynamodb-calls.mjs', import.meta.url));

export interface MarketplaceProcess {
  pid: number;
  url: string;
  /** Seconds from spawn to "running locally". */
  readySeconds: number;
  /** DynamoDB calls the process has made so far, by x-amz-target. */
  calls(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * `npm start` of the commit checked out at `root` (this tree, or a git worktree of another commit), as its own
 * process: `node --import tsx bin/local.ts`, so that the pid is the gateway's, with the DynamoDB call counter
 * preloaded.
 */
export async function startMarketplaceProcess(root: string, options: { seed: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<MarketplaceProcess> {
  const [port, dynamoDbPort, callsPort] = [await freePort(), await freePort(), await freePort()];
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', '--import', callsPreload, 'bin/local.ts', '--seed', options.seed], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, PORT: String(port), DYNAMODB_PORT: String(dynamoDbPort), BENCH_CALLS_PORT: String(callsPort),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.env,
    },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/running locally/i.test(output)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    void exited.then((code) => reject(new Error(`the marketplace at ${root} exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
  });
  const readySeconds = (performance.now() - started) / 1000;
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    readySeconds,
    async calls() {
      const response = await fetch(`http://127.0.0.1:${callsPort}/`);
      return (await response.json()) as Record<string, number>;
    },
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
