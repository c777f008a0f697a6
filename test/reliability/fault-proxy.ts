// A fault-injecting HTTP proxy between the marketplace and DynamoDB Local: it forwards, hangs (accepts
// and never answers, like a partitioned or frozen database), answers as a throttled or failing DynamoDB, or
// cancels a write as DynamoDB does when another transaction holds one of its items.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultMode = 'pass' | 'hang' | 'throttle' | 'error500' | 'reset' | 'conflict';

export interface FaultProxy {
  endpoint: string;
  mode: FaultMode;
  /**
   * Per request, before `mode`: a fault for this DynamoDB operation (given its JSON body), or undefined to use
   * `mode`. The request waits while a returned promise is pending.
   */
  rule?: ((operation: string, body: string) => FaultMode | undefined | Promise<FaultMode | undefined>) | undefined;
  /** Requests seen per DynamoDB operation (X-Amz-Target without the version prefix). */
  seen: Map<string, number>;
  close(): Promise<void>;
}

function dynamoError(response: ServerResponse, status: number, type: string, extra: object = {}): void {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `injected ${type}`, ...extra });
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body), 'x-amzn-errortype': type });
  response.end(body);
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const held = new Set<ServerResponse>();
  const proxy: FaultProxy = { endpoint: '', mode: 'pass', seen: new Map(), close: async () => undefined };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      proxy.seen.set(operation, (proxy.seen.get(operation) ?? 0) + 1);
      const body = Buffer.concat(chunks);
      switch ((await proxy.rule?.(operation, body.toString('utf8'))) ?? proxy.mode) {
        case 'hang':
          held.add(response);
          response.on('close', () => held.delete(response));
          return;
        case 'reset':
          request.socket.destroy();
          return;
        case 'throttle':
          return dynamoError(response, 400, 'ProvisionedThroughputExceededException');
        case 'error500':
          return dynamoError(response, 500, 'InternalServerError');
        case 'conflict': {
          if (operation !== 'TransactWriteItems') return dynamoError(response, 400, 'TransactionConflictException');
          const actions = (JSON.parse(body.toString('utf8')) as { TransactItems?: unknown[] }).TransactItems ?? [];
          return dynamoError(response, 400, 'TransactionCanceledException', {
            CancellationReasons: actions.map((_, i) => (i === 0 ? { Code: 'TransactionConflict' } : { Code: 'None' })),
          });
        }
        case 'pass': {
          const upstreamRequest = httpRequest({
            host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers,
          }, (upstreamResponse) => {
            response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
            upstreamResponse.pipe(response);
          });
          upstreamRequest.on('error', () => request.socket.destroy());
          upstreamRequest.end(body);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  // Leaving hang mode drops what was held, as a recovered network would have long since reset it.
  let mode: FaultMode = 'pass';
  Object.defineProperty(proxy, 'mode', {
    get: () => mode,
    set: (next: FaultMode) => {
      if (mode === 'hang' && next !== 'hang') for (const response of held) response.destroy();
      mode = next;
    },
  });
  return proxy;
}
