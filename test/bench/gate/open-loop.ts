import { Agent, request as httpRequest } from 'node:http';
import type { MixRequest } from './request-mix.js';

export interface LoadResult {
  sent: number;
  /** Answers by status ("200": 2980); "error" for a connection that failed. */
  statuses: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function send(baseUrl: string, item: MixRequest, token: string | undefined): Promise<{ status: number | 'error'; body: string }> {
  const url = new URL(item.path, baseUrl);
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (item.body !== undefined) headers['content-type'] = 'application/json';
    if (item.signedIn && token) headers.authorization = `Bearer ${token}`;
    const outgoing = httpRequest(url, { method: item.method, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on('error', () => resolve({ status: 'error', body: '' }));
    });
    outgoing.on('error', () => resolve({ status: 'error', body: '' }));
    outgoing.end(item.body);
  });
}

const percentile = (sorted: number[], p: number) => sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/**
 * Sends `requests` at a fixed rate whatever the answers' speed (an open loop, as many independent users do),
 * the i-th at start + i / rate, and waits for the last answer.
 */
export async function runOpenLoop(baseUrl: string, requests: MixRequest[], ratePerSecond: number, tokens: string[]): Promise<LoadResult> {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < requests.length; i += 1) {
    const due = start + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAt = performance.now();
    pending.push(send(baseUrl, requests[i]!, tokens[i % tokens.length]).then(({ status }) => {
      latencies.push(performance.now() - sentAt);
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    }));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    sent: requests.length,
    statuses,
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) },
  };
}
