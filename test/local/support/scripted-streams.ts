// A scripted DynamoDB Streams API (plus the DescribeTable the poller starts with) whose shards the test opens,
// fills and closes, to exercise shard roll-over, which DynamoDB Local does only every few hours.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface ScriptedShard { parent: string | undefined; records: Array<{ sequence: string; id: string }>; closed: boolean }

export async function startScriptedStreams() {
  const streamArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/scripted/stream/2026-01-01T00:00:00.000';
  const shards = new Map<string, ScriptedShard>();
  let sequence = 0;

  const record = (id: string, seq: string) => ({
    eventID: `event-${seq}`, eventName: 'INSERT', eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000), Keys: { pk: { S: id }, sk: { S: 'A' } },
      NewImage: { pk: { S: id }, sk: { S: 'A' }, entity: { S: 'activity' } }, SequenceNumber: seq, SizeBytes: 20,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  });

  function answer(operation: string, input: any): unknown {
    switch (operation) {
      case 'DescribeTable':
        return { Table: { TableName: input.TableName, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' }, LatestStreamArn: streamArn } };
      case 'DescribeStream':
        return { StreamDescription: { StreamArn: streamArn, StreamStatus: 'ENABLED', Shards: [...shards].map(([ShardId, shard]) => ({
          ShardId, ...(shard.parent ? { ParentShardId: shard.parent } : {}),
          SequenceNumberRange: {
            StartingSequenceNumber: shard.records[0]?.sequence ?? '0',
            ...(shard.closed ? { EndingSequenceNumber: shard.records.at(-1)?.sequence ?? '0' } : {}),
          },
        })) } };
      case 'GetShardIterator': {
        const shard = shards.get(input.ShardId)!;
        const start = input.ShardIteratorType === 'TRIM_HORIZON' ? 0
          : input.ShardIteratorType === 'LATEST' ? shard.records.length
            : shard.records.findIndex((r) => r.sequence === input.SequenceNumber) + 1;
        return { ShardIterator: `${input.ShardId}|${start}` };
      }
      case 'GetRecords': {
        const [shardId, from] = String(input.ShardIterator).split('|');
        const shard = shards.get(shardId!)!;
        const records = shard.records.slice(Number(from));
        const next = Number(from) + records.length;
        return {
          Records: records.map((r) => record(r.id, r.sequence)),
          ...(shard.closed && next === shard.records.length ? {} : { NextShardIterator: `${shardId}|${next}` }),
        };
      }
      default:
        throw new Error(`unexpected ${operation}`);
    }
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const body = JSON.stringify(answer(operation, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));

  const append = (shardId: string, ids: string[]) => {
    for (const id of ids) shards.get(shardId)!.records.push({ sequence: String(++sequence).padStart(21, '0'), id });
  };
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    addShard(shardId: string, parent: string | undefined, ids: string[]) {
      shards.set(shardId, { parent, records: [], closed: false });
      append(shardId, ids);
    },
    append,
    closeShard(shardId: string) { shards.get(shardId)!.closed = true; },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
