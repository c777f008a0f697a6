/**
 * A conflict-faithful DynamoDB: an HTTP proxy in front of DynamoDB Local that refuses concurrent writes to
 * one item the way DynamoDB does. DynamoDB Local applies transactions one at a time, so two transactions on
 * the same item both succeed there; DynamoDB cancels one of them.
 *
 * The model, from the DynamoDB Developer Guide, "Amazon DynamoDB Transactions: How it works", section
 * "Transaction conflict handling in DynamoDB"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling):
 * - An item (table + primary key) is in flight while a TransactWriteItems that includes it is in progress,
 *   or while a single write (PutItem, UpdateItem, DeleteItem, BatchWriteItem) to it is being forwarded.
 * - A TransactWriteItems that touches an item in flight is cancelled without reaching DynamoDB Local:
 *   TransactionCanceledException with one reason per action, TransactionConflict where the item is in flight.
 *   (The guide names an ongoing transaction; an ongoing single write cancelling it is this proxy's reading.)
 * - A single write to an item under a transaction fails with TransactionConflictException. A BatchWriteItem
 *   touching such an item fails whole with TransactionConflictException (nothing of it is written). Single
 *   writes do not conflict with each other: the last writer wins, as in DynamoDB.
 * - Reads (GetItem, BatchGetItem, Query, Scan) never conflict and everything else passes through untouched.
 * - A transaction stays in flight for `holdMs` (default 15 ms, about the service's transaction latency),
 *   whether it then succeeds or fails its conditions, and however long DynamoDB Local takes to apply it
 *   (its queue on a busy machine is not the service's latency); a single write, while it is forwarded, up
 *   to `holdMs`. The hold comes before forwarding: as in DynamoDB, readers see the old state until the
 *   transaction commits.
 * Not modelled: TransactGetItems conflicts (the app does not use it), ClientRequestToken idempotency
 * (TransactionInProgressException for a retried token), PartiQL, throttling and partition limits.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tableKeys } from '../functions/data/table-definition.js';

export interface ConflictStats {
  /** TransactWriteItems requests received. */
  transactions: number;
  /** Transactions forwarded to DynamoDB Local (they may still fail their conditions there). */
  forwarded: number;
  /** Transactions cancelled by a conflict, without reaching DynamoDB Local. */
  cancelled: number;
  /** PutItem, UpdateItem, DeleteItem and BatchWriteItem requests refused with TransactionConflictException. */
  singleWritesRefused: number;
}

export interface ConflictProxy {
  endpoint: string;
  holdMs: number;
  stats(): ConflictStats;
  /** Zeroes the counters (items in flight stay in flight). */
  reset(): void;
  close(): Promise<void>;
}

type AttributeMap = Record<string, unknown>;
interface Answer { status: number; headers: IncomingHttpHeaders; body: Buffer }

const errorPrefix = 'com.amazonaws.dynamodb.v20120810#';
const conflictMessage = 'Transaction is ongoing for the item';

function itemKey(tableName: unknown, attributes: AttributeMap | undefined): string {
  return JSON.stringify([tableName, attributes?.[tableKeys.partitionKey], attributes?.[tableKeys.sortKey]]);
}

/** The items a write request touches, or null when it is not one the model cares about (or not valid JSON). */
function touchedItems(operation: string, body: Buffer): string[] | null {
  let input: any;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  switch (operation) {
    case 'TransactWriteItems':
      return (input.TransactItems ?? []).map((action: any) => {
        const write = action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck ?? {};
        return itemKey(write.TableName, action.Put ? write.Item : write.Key);
      });
    case 'PutItem':
      return [itemKey(input.TableName, input.Item)];
    case 'UpdateItem':
    case 'DeleteItem':
      return [itemKey(input.TableName, input.Key)];
    case 'BatchWriteItem':
      return Object.entries(input.RequestItems ?? {}).flatMap(([tableName, requests]) => (requests as any[]).map((request) =>
        itemKey(tableName, request.PutRequest?.Item ?? request.DeleteRequest?.Key)));
    default:
      return null;
  }
}

function sendError(response: ServerResponse, errorType: string, body: object): void {
  const text = JSON.stringify({ __type: `${errorPrefix}${errorType}`, ...body });
  response.writeHead(400, {
    'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-errortype': errorType,
  });
  response.end(text);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startConflictProxy(options: { upstream: string; holdMs?: number }): Promise<ConflictProxy> {
  const upstream = new URL(options.upstream);
  const holdMs = options.holdMs ?? 15;
  const agent = new Agent({ keepAlive: true });
  /** Items under transactions and under single writes: how many hold each. */
  const transacting = new Map<string, number>();
  const writing = new Map<string, number>();
  const stats: ConflictStats = { transactions: 0, forwarded: 0, cancelled: 0, singleWritesRefused: 0 };

  function forward(request: IncomingMessage, body: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const upstreamRequest = httpRequest({
        host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers, agent,
      }, (upstreamResponse) => {
        const chunks: Buffer[] = [];
        upstreamResponse.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamResponse.on('end', () => resolve({ status: upstreamResponse.statusCode ?? 502, headers: upstreamResponse.headers, body: Buffer.concat(chunks) }));
        upstreamResponse.on('error', reject);
      });
      upstreamRequest.on('error', reject);
      upstreamRequest.end(body);
    });
  }

  const inFlight = (item: string) => transacting.has(item) || writing.has(item);

  /**
   * Items stay in flight for the modelled service latency (`holdMs`), not for as long as DynamoDB Local
   * takes: it applies writes one at a time, so on a busy machine its queue would otherwise count as time in
   * flight and cancel far more transactions than DynamoDB would. A transaction is held, then forwarded, so
   * readers see the old state until it commits.
   */
  function occupy(marks: Map<string, number>, items: string[], done: Promise<unknown>): void {
    for (const item of items) marks.set(item, (marks.get(item) ?? 0) + 1);
    const release = () => {
      for (const item of items) {
        const left = marks.get(item)! - 1;
        if (left > 0) marks.set(item, left);
        else marks.delete(item);
      }
    };
    void Promise.race([sleep(holdMs), done.catch(() => undefined).then(() => sleep(0))]).then(release);
  }

  async function holdAndForward(request: IncomingMessage, body: Buffer, items: string[]): Promise<Answer> {
    const held = sleep(holdMs);
    occupy(transacting, items, held);
    await held;
    const answer = await forward(request, body);
    stats.forwarded++;
    return answer;
  }

  async function singleWrite(request: IncomingMessage, body: Buffer, items: string[]): Promise<Answer | null> {
    if (items.some((item) => transacting.has(item))) {
      stats.singleWritesRefused++;
      return null;
    }
    const forwarded = forward(request, body);
    occupy(writing, items, forwarded);
    return forwarded;
  }

  async function handle(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const items = touchedItems(operation, body);
    let answer: Answer | null;
    if (items && operation === 'TransactWriteItems') {
      stats.transactions++;
      const conflicts = items.map(inFlight);
      if (conflicts.some(Boolean)) {
        stats.cancelled++;
        const reasons = conflicts.map((conflict) => (conflict ? { Code: 'TransactionConflict', Message: conflictMessage } : { Code: 'None' }));
        return sendError(response, 'TransactionCanceledException', {
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          CancellationReasons: reasons,
        });
      }
      answer = await holdAndForward(request, body, items);
    } else if (items) {
      answer = await singleWrite(request, body, items);
      if (!answer) return sendError(response, 'TransactionConflictException', { message: conflictMessage });
    } else {
      answer = await forward(request, body);
    }
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // DynamoDB Local unreachable: drop the connection, as the network would, so the SDK retries.
      handle(request, Buffer.concat(chunks), response).catch(() => request.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdMs,
    stats: () => ({ ...stats }),
    reset() {
      Object.assign(stats, { transactions: 0, forwarded: 0, cancelled: 0, singleWritesRefused: 0 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
