/**
 * Helpers for tests on a local (or given) Kinesis: fresh streams per test, and a collector that reads a stream
 * into memory, children of a reshard included, without leases or checkpoints.
 */
import { randomUUID } from 'node:crypto';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient, ensureStreams, listAllShards } from '@ridestream/kinesis';

export interface Endpoints {
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
}

/** The variables a service under test needs to talk to these endpoints (dummy credentials). */
export const localAwsEnv = (e: Endpoints): Record<string, string> => ({
  KINESIS_ENDPOINT: e.kinesisEndpoint,
  DYNAMODB_ENDPOINT: e.dynamodbEndpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});

export const streamClient = (e: Endpoints): KinesisClient =>
  createKinesisClient({
    region: 'us-east-1',
    endpoint: e.kinesisEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** Creates `<prefix>-<uuid>` streams with `shards` shards each, ACTIVE on return, in order. */
export async function freshStreams<const P extends readonly string[]>(
  client: KinesisClient,
  prefixes: P,
  shards = 2,
): Promise<{ [K in keyof P]: string }> {
  const names = prefixes.map((p) => `${p}-${randomUUID()}`) as { [K in keyof P]: string };
  await ensureStreams(
    client,
    names.map((stream) => ({ stream, shards })),
  );
  return names;
}

export interface CollectedRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Buffer;
}

export interface StreamCollector {
  readonly records: CollectedRecord[];
  stop(): Promise<void>;
}

/** Reads every shard of `stream` from its start into `records` (new shards found within 250 ms) until `stop()`. */
export function collectStream(client: KinesisClient, stream: string, pollMs = 100): StreamCollector {
  const records: CollectedRecord[] = [];
  const reading = new Set<string>();
  const readers: Promise<void>[] = [];
  let running = true;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const readShard = async (shardId: string) => {
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (running && iterator) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of out.Records ?? [])
        records.push({
          shardId,
          sequenceNumber: r.SequenceNumber!,
          partitionKey: r.PartitionKey!,
          data: Buffer.from(r.Data!),
        });
      iterator = out.NextShardIterator;
      if (!out.Records?.length) await sleep(pollMs);
    }
  };

  const discover = (async () => {
    while (running) {
      for (const s of await listAllShards(client, stream)) {
        if (reading.has(s.ShardId!)) continue;
        reading.add(s.ShardId!);
        readers.push(readShard(s.ShardId!));
      }
      await sleep(250);
    }
  })();

  return {
    records,
    async stop() {
      running = false;
      await Promise.all([discover, ...readers]);
    },
  };
}
