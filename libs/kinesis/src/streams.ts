import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { KinesisTransportError } from './errors';

export interface StreamSpec {
  readonly stream: string;
  readonly shards?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `stream` is ACTIVE (a new stream is CREATING for a while; a resharded one UPDATING). */
export async function waitForStreamActive(client: KinesisClient, stream: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    if (Date.now() > deadline)
      throw new KinesisTransportError('STREAM_NOT_ACTIVE', `stream ${stream} not ACTIVE after ${timeoutMs} ms`, {
        retriable: true,
        context: { stream },
      });
    await sleep(100);
  }
}

/**
 * Creates the streams that do not exist yet and waits until all are ACTIVE (idempotent, like `ensureTopics`).
 * Returns the names it created.
 */
export async function ensureStreams(client: KinesisClient, specs: readonly StreamSpec[]): Promise<string[]> {
  const created: string[] = [];
  for (const s of specs) {
    try {
      await client.send(new CreateStreamCommand({ StreamName: s.stream, ShardCount: s.shards ?? 2 }));
      created.push(s.stream);
    } catch (err) {
      // Another instance created it first: fine, it only has to become ACTIVE.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  for (const s of specs) await waitForStreamActive(client, s.stream);
  return created;
}

/** Every shard of the stream, open and closed (parents of a reshard included), across ListShards pages. */
export async function listAllShards(client: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // With a NextToken, ListShards rejects StreamName: the token already names the stream.
    const out = await client.send(
      new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: stream, MaxResults: 1000 }),
    );
    shards.push(...(out.Shards ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return shards;
}
