import { aStarted } from '@ridestream/features/testing';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { silentLogger } from '@ridestream/runtime';
import { predictorScorer } from '@ridestream/stream-core';
import { describe, expect, it } from 'vitest';
import { createKinesisLambdaHandler, parseDeadLetterEnvelope, type KinesisEventRecord } from '../src/index';

const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/rides';
const ride = (rideId: string) => aStarted(rideId, { occurredAt: '2024-01-01T00:57:55-05:00' });

/** A record exactly as the Lambda event source mapping delivers it. */
function eventRecord(seq: number, data: string | Buffer, key = `k${seq}`): KinesisEventRecord {
  const sequenceNumber = `4959030849793826406455276800934425958${String(seq).padStart(6, '0')}`;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: key,
      sequenceNumber,
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: 1_704_088_675.123,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000003:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/ridestream-consumer',
    awsRegion: 'us-east-1',
    eventSourceARN: ARN,
  };
}

function setup(opts: { failPublish?: boolean; predictError?: Error & { retriable?: boolean } } = {}) {
  const published: OutgoingMessage[] = [];
  const calls: number[] = [];
  const scorer = predictorScorer({
    kind: 'duration',
    model: { name: 'ride-duration', version: 't1' },
    predict: async (_f, n) => {
      calls.push(n);
      if (opts.predictError) throw opts.predictError;
      return new Float32Array(n).fill(12.5);
    },
  });
  const handler = createKinesisLambdaHandler({
    scorer,
    publisher: {
      send: async (messages) => {
        if (opts.failPublish) throw Object.assign(new Error('stream gone'), { retriable: false });
        published.push(...messages);
      },
    },
    outputStream: 'preds',
    deadLetterStream: 'dlq',
    consumerName: 'duration-lambda',
    logger: silentLogger(),
  });
  return { handler, published, calls };
}

describe('createKinesisLambdaHandler', () => {
  it('scores the batch in one model call and dead-letters poison records without failing them', async () => {
    const { handler, published, calls } = setup();
    const records = [
      eventRecord(1, JSON.stringify(ride('r1'))),
      eventRecord(2, '{"rideId": "x", '),
      eventRecord(3, JSON.stringify(ride('r3'))),
      eventRecord(4, JSON.stringify({ ...ride('r4'), puLocationId: 999 })),
      eventRecord(5, Buffer.from([0xde, 0xad])),
    ];
    const res = await handler({ Records: records }, { getRemainingTimeInMillis: () => 30_000 });
    expect(res).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([2]);
    const preds = published.filter((m) => m.stream === 'preds');
    expect(preds.map((m) => m.key)).toEqual(['r1', 'r3']);
    const dead = published.filter((m) => m.stream === 'dlq').map((m) => parseDeadLetterEnvelope(Buffer.from(m.value)));
    expect(dead.map((d) => d.headers['x-ridestream-error-code'])).toEqual([
      'INVALID_JSON',
      'INVALID_EVENT',
      'INVALID_JSON',
    ]);
    expect(dead[1]!.headers['x-ridestream-source-topic']).toBe('rides');
    expect(dead[1]!.headers['x-ridestream-source-partition']).toBe('shardId-000000000003');
    expect(dead[1]!.headers['x-ridestream-source-offset']).toBe(records[3]!.kinesis.sequenceNumber);
    expect(Buffer.compare(dead[2]!.original, Buffer.from([0xde, 0xad]))).toBe(0);
  });

  it('fails from the first record when scoring fails transiently, so Lambda retries the batch', async () => {
    const err = Object.assign(new Error('busy'), { retriable: true });
    const { handler, published } = setup({ predictError: err });
    const records = [eventRecord(1, 'not json'), eventRecord(2, JSON.stringify(ride('r2')))];
    const res = await handler({ Records: records });
    // The poison record before the failure is dead-lettered (and not retried); the retry starts at the ride.
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.kinesis.sequenceNumber }]);
    expect(published.map((m) => m.stream)).toEqual(['dlq']);
  });

  it('reports the first record as failed when nothing can be published', async () => {
    const { handler } = setup({ failPublish: true });
    const records = [eventRecord(1, JSON.stringify(ride('r1'))), eventRecord(2, JSON.stringify(ride('r2')))];
    const res = await handler({ Records: records });
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.kinesis.sequenceNumber }]);
  });

  it('returns no failures for an empty event', async () => {
    expect(await setup().handler({ Records: [] })).toEqual({ batchItemFailures: [] });
  });
});
