// A fault-injecting HTTP proxy between the marketplace and DynamoDB Local: it forwards, hangs (accepts
// and never answers, like a partitioned or frozen database), or answers as a throttled or failing DynamoDB.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultMode = 'pass' | 'hang' | 'throttle' | 'error500' | 'reset';

export interface FaultProxy {
  endpoint: string;
  mode: FaultMode;
  /** Per request, before `mode`: a fault for this DynamoDB operation, or undefined to use `mode`. */
  rule?: ((operation: string) => FaultMode | undefined) | undefined;
  /** Requests seen per DynamoDB operation (X-Amz-Target without the version prefix). */
  seen: Map<string, number>;
  close(): Promise<void>;
}

function dynamoError(response: ServerResponse, status: number, type: string): void {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `injected ${type}` });
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
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      proxy.seen.set(operation, (proxy.seen.get(operation) ?? 0) + 1);
      switch (proxy.rule?.(operation) ?? proxy.mode) {
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
        case 'pass': {
          const upstreamRequest = httpRequest({
            host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers,
          }, (upstreamResponse) => {
            response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
            upstreamResponse.pipe(response);
          });
          upstreamRequest.on('error', () => request.socket.destroy());
          upstreamRequest.end(Buffer.concat(chunks));
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
