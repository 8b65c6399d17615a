/**
 * The live view's Kinesis reader against a scripted client (no network): what it hands over after an expired
 * iterator, throttling, records that are not predictions, and a shard that closes.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { makePrediction, type Prediction } from '@ridestream/features';
import { aCompleted } from '@ridestream/features/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readKinesisPredictions } from '../src/prediction-reader';

/** Waits for a condition (no network here: the client is scripted). */
const waitFor = (predicate: () => boolean, what: string) =>
  vi.waitFor(
    () => {
      if (!predicate()) throw new Error(`still waiting for ${what}`);
    },
    { timeout: 60_000, interval: 50 },
  );

const prediction = (rideId: string): Prediction =>
  makePrediction({
    kind: 'tip',
    model: { name: 'tip', version: '1' },
    event: aCompleted(rideId, { occurredAt: '2024-01-01T10:00:00.000-05:00', startedAt: '2024-01-01T09:40:00-05:00' }),
    value: 1.5,
    scoredAt: new Date('2024-01-01T15:00:01Z'),
  });

interface ScriptedShard {
  readonly data: readonly string[];
  /** A closed shard ends after its data (no next iterator). */
  readonly closed?: boolean;
}

/**
 * A client whose shards hold `data`; iterators are `shard:index`; `failGets[shard][n]` is the error name of that
 * shard's n-th GetRecords call (from 1).
 */
function scriptedClient(shards: Record<string, ScriptedShard>, failGets: Record<string, Record<number, string>> = {}) {
  const gets = new Map<string, number>();
  const iterators: string[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const input = command.input;
    switch (command.constructor.name) {
      case 'ListShardsCommand':
        return { Shards: Object.keys(shards).map((ShardId) => ({ ShardId })) };
      case 'GetShardIteratorCommand': {
        const start =
          input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' ? Number(input.StartingSequenceNumber) + 1 : 0;
        iterators.push(`${String(input.ShardId)}:${start}`);
        return { ShardIterator: `${String(input.ShardId)}:${start}` };
      }
      case 'GetRecordsCommand': {
        const [shardId, at] = String(input.ShardIterator).split(':') as [string, string];
        const n = (gets.get(shardId) ?? 0) + 1;
        gets.set(shardId, n);
        const failure = failGets[shardId]?.[n];
        if (failure)
          throw Object.assign(new Error(failure), {
            name: failure,
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        const shard = shards[shardId]!;
        const from = Number(at);
        // Two records per call, so that a failure can fall between handed-over records.
        const Records = shard.data.slice(from, from + 2).map((d, i) => ({
          SequenceNumber: String(from + i),
          PartitionKey: 'k',
          Data: Buffer.from(d),
        }));
        const next = from + Records.length;
        const ended = shard.closed && next >= shard.data.length;
        return { Records, NextShardIterator: ended ? undefined : `${shardId}:${next}` };
      }
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  return { client: { send } as unknown as KinesisClient, iterators };
}

const readers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.stop()));
});

function read(client: KinesisClient) {
  const got: string[] = [];
  const errors: unknown[] = [];
  const reader = readKinesisPredictions({
    client,
    stream: 'tip-predictions',
    onPrediction: (p) => got.push(p.rideId),
    onError: (err) => errors.push(err),
    idlePollMs: 10,
    shardSyncMs: 10_000,
  });
  readers.push(reader);
  return { reader, got, errors };
}

describe('readKinesisPredictions', () => {
  it('returns every prediction of every shard once, through an expired iterator and throttling', async () => {
    const a = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => JSON.stringify(prediction(id)));
    const { client, iterators } = scriptedClient(
      { 'shard-a': { data: a }, 'shard-b': { data: [JSON.stringify(prediction('b1'))], closed: true } },
      { 'shard-a': { 2: 'ExpiredIteratorException', 3: 'ProvisionedThroughputExceededException' } },
    );
    const { reader, got, errors } = read(client);
    await reader.start();
    await waitFor(() => got.length >= 6, 'six predictions');
    expect([...got].sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1']);
    expect(errors).toEqual([]);
    // Each failure starts again just after the last record handed over (a2 = index 1), not from the shard's start.
    expect(iterators.filter((i) => i.startsWith('shard-a'))).toEqual(['shard-a:0', 'shard-a:2', 'shard-a:2']);
  });

  it('skips records that are not valid predictions', async () => {
    const { client } = scriptedClient({
      s: { data: ['not json', JSON.stringify({ kind: 'tip' }), JSON.stringify(prediction('ok'))] },
    });
    const { reader, got } = read(client);
    await reader.start();
    await waitFor(() => got.length >= 1, 'the valid prediction');
    expect(got).toEqual(['ok']);
  });

  it('fails through onError, and stops reading the shard, when the error is not retriable', async () => {
    const { client } = scriptedClient({ s: { data: [] } }, { s: { 1: 'ResourceNotFoundException' } });
    const { reader, errors } = read(client);
    await reader.start();
    await waitFor(() => errors.length === 1, 'the error');
    expect((errors[0] as Error).name).toBe('ResourceNotFoundException');
  });
});
