import {
  GetShardIteratorCommand,
  ProvisionedThroughputExceededException,
  type GetRecordsCommandOutput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { silentLogger, type RetrySettings } from '@ridestream/runtime';
import { createConsumerMetrics, type PipelineOptions } from '@ridestream/stream-core';
import { skippingScorer, testPipeline } from '@ridestream/stream-core/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { runKinesisConsumer } from '../src/consumer';
import { KinesisTransportError } from '../src/errors';
import type { LeaseTable } from '../src/lease-table';
import type { KinesisPublisher } from '../src/publisher';
import { readShard } from '../src/shard-reader';

const RETRY: RetrySettings = { retries: 2, initialMs: 1, maxMs: 1 };

/** A client that answers GetShardIterator, and GetRecords with what `getRecords` says (its call number, 1-based). */
function fakeClient(getRecords: (call: number) => GetRecordsCommandOutput) {
  const calls = { getRecords: 0 };
  const client = {
    send: async (command: unknown) => {
      if (command instanceof GetShardIteratorCommand) return { ShardIterator: 'it' };
      return getRecords(++calls.getRecords);
    },
  } as unknown as KinesisClient;
  return { client, calls };
}

const throttled = () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
const oneRecord = (n: number): GetRecordsCommandOutput => ({
  $metadata: {},
  NextShardIterator: 'next',
  Records: [{ SequenceNumber: String(n), PartitionKey: 'k', Data: new Uint8Array([123, 125]) }],
});

function read(client: KinesisClient, publish: PipelineOptions['publish'], isActive = () => true) {
  return readShard({
    client,
    stream: 'rides',
    shardId: 'shardId-000',
    checkpoint: 'TRIM_HORIZON',
    pipeline: testPipeline({ publish, publishRetry: { retries: 0, initialMs: 1, maxMs: 1 } }),
    chunkSize: 10,
    maxRecordsPerGet: 10,
    idlePollMs: 1,
    retry: RETRY,
    saveCheckpoint: async () => true,
    isActive,
    logger: silentLogger(),
  });
}

describe('readShard retry bounds', () => {
  it('fails with READ_RETRIES_EXHAUSTED naming the stream and shard when GetRecords keeps failing', async () => {
    const { client, calls } = fakeClient(() => {
      throw throttled();
    });
    const err = await read(client, async () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KinesisTransportError);
    expect(err).toMatchObject({
      code: 'READ_RETRIES_EXHAUSTED',
      retriable: false,
      context: { stream: 'rides', shardId: 'shardId-000' },
    });
    expect(calls.getRecords).toBe(RETRY.retries + 1);
  });

  it('fails when publishing keeps failing although every GetRecords succeeds (a read does not reset re-reads)', async () => {
    const { client, calls } = fakeClient(oneRecord);
    const err = await read(client, async () => {
      throw Object.assign(new Error('output stream down'), { retriable: true });
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'READ_RETRIES_EXHAUSTED', context: { stream: 'rides', shardId: 'shardId-000' } });
    expect(calls.getRecords).toBe(RETRY.retries + 1);
  });

  it('keeps reading when each failed GetRecords is followed by a good one (a read resets the read failures)', async () => {
    // Calls 1, 3, 5, ... throttle; 2, 4, 6, ... return a record: never two failures in a row.
    const { client, calls } = fakeClient((n) => {
      if (n % 2 === 1) throw throttled();
      return oneRecord(n);
    });
    const published: number[] = [];
    const end = await read(
      client,
      async () => void published.push(calls.getRecords),
      () => calls.getRecords < 2 * (RETRY.retries + 3),
    );
    expect(end).toBe('stopped');
    expect(published.length).toBeGreaterThan(RETRY.retries + 1);
  });
});

describe('runKinesisConsumer lease rounds', () => {
  it('fails with LEASE_RETRIES_EXHAUSTED naming the stream once lease rounds keep failing', async () => {
    let scans = 0;
    const leases = {
      scan: async () => {
        scans++;
        throw Object.assign(new Error('lease table unreachable'), { retriable: true });
      },
    } as unknown as LeaseTable;
    const consumer = await runKinesisConsumer({
      kinesis: fakeClient(oneRecord).client,
      leases,
      publisher: { send: async () => {}, stop: async () => {} } as unknown as KinesisPublisher,
      scorer: skippingScorer(),
      logger: silentLogger(),
      metrics: createConsumerMetrics(new Registry()),
      outputStream: 'preds',
      deadLetterStream: 'dlq',
      consumerName: 'tip-consumer',
      inputStream: 'rides',
      leaseDurationMs: 1000,
      shardSyncMs: 1000,
      idlePollMs: 200,
      maxRecordsPerGet: 10,
      chunkSize: 10,
      initialPosition: 'TRIM_HORIZON',
      readRetry: RETRY,
      leaseRetry: RETRY,
    });
    const err = await consumer.finished.catch((e: unknown) => e);
    await consumer.stop();
    expect(err).toBeInstanceOf(KinesisTransportError);
    expect(err).toMatchObject({ code: 'LEASE_RETRIES_EXHAUSTED', retriable: false, context: { stream: 'rides' } });
    expect(scans).toBe(RETRY.retries + 1);
  });
});
