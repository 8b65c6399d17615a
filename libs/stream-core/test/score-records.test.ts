import { FEATURE_SPECS } from '@ridestream/features';
import { aCompleted, aPaid, aStarted } from '@ridestream/features/testing';
import { describe, expect, it } from 'vitest';
import {
  DLQ_HEADERS,
  deadLetterHeaders,
  planBatch,
  planMessages,
  scoreRecords,
  type Predictor,
  type SourceRecord,
} from '../src/index';

const ride = aStarted;
const PLANNED = FEATURE_SPECS.duration.names.indexOf('planned_distance');
const rec = (position: string, value: unknown): SourceRecord => ({
  position,
  key: 'k',
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: { traceparent: '00-abc-def-01' },
  timestampMs: 0,
});

/** A stand-in duration model: predicts planned distance x 4, and records how it was called. */
function distanceScorer(): Predictor & { calls: number[] } {
  const calls: number[] = [];
  return {
    kind: 'duration',
    model: { name: 'ride-duration', version: '7' },
    calls,
    async predict(features, rows) {
      calls.push(rows);
      return Float32Array.from({ length: rows }, (_, i) => features[i * FEATURE_SPECS.duration.count + PLANNED]! * 4);
    },
  };
}

describe('scoreRecords', () => {
  it('returns one outcome per record, in order, scoring all valid ones in one call', async () => {
    const scorer = distanceScorer();
    const out = await scoreRecords(
      [
        rec('1', ride('a')),
        rec('2', '{oops'),
        rec('3', ride('c', { plannedDistance: 1 })),
        rec('4', ride('d', { puLocationId: 999 })),
      ],
      scorer,
      () => new Date('2024-01-15T13:30:01Z'),
    );
    expect(out.map((o) => o.status)).toEqual(['scored', 'rejected', 'scored', 'rejected']);
    expect(scorer.calls).toEqual([2]);
    const first = out[0]!;
    expect(first.status === 'scored' && { rideId: first.rideId, value: first.value }).toEqual({
      rideId: 'a',
      value: 10,
    });
    expect(first.status === 'scored' && JSON.parse(first.payload)).toMatchObject({
      rideId: 'a',
      value: 10,
      unit: 'minutes',
      kind: 'duration',
      model: { name: 'ride-duration', version: '7' },
      event: { type: 'ride.started', id: 'a:started' },
      eventTime: '2024-01-15T08:30:00-05:00',
      scoredAt: '2024-01-15T13:30:01.000Z',
    });
    const unknownZone = out[3]!;
    expect(unknownZone.status === 'rejected' && unknownZone.issues.map((i) => i.path)).toEqual(['puLocationId']);
  });

  it('returns skipped outcomes for valid events of another type, scoring only its own type', async () => {
    const scorer = distanceScorer();
    const out = await scoreRecords([rec('1', aCompleted('a')), rec('2', ride('a')), rec('3', aPaid('a'))], scorer);
    expect(out.map((o) => o.status)).toEqual(['skipped', 'scored', 'skipped']);
    expect(out.map((o) => (o.status === 'skipped' ? o.eventType : undefined))).toEqual([
      'ride.completed',
      undefined,
      'ride.paid',
    ]);
    expect(scorer.calls).toEqual([1]);
  });

  it('returns a tip scored from ride.completed, and the duration scorer skips it', async () => {
    const fare = FEATURE_SPECS.tip.names.indexOf('fare_amount');
    const tip: Predictor = {
      kind: 'tip',
      model: { name: 'ride-tip', version: '2' },
      predict: async (f, n) => Float32Array.from({ length: n }, (_, i) => f[i * FEATURE_SPECS.tip.count + fare]! / 10),
    };
    const [scored] = await scoreRecords([rec('1', aCompleted('a', { fareAmount: 20 }))], tip);
    expect(scored!.status === 'scored' && JSON.parse(scored!.payload)).toMatchObject({
      kind: 'tip',
      value: 2,
      event: { type: 'ride.completed', id: 'a:completed' },
      eventTime: aCompleted().occurredAt,
    });
  });

  it('returns a ride.completed scored though its ride never started (no state is kept)', async () => {
    const tip: Predictor = {
      kind: 'tip',
      model: { name: 't', version: '1' },
      predict: async (_f, n) => new Float32Array(n).fill(1),
    };
    const out = await scoreRecords([rec('1', aCompleted('never-started'))], tip);
    expect(out[0]).toMatchObject({ status: 'scored', rideId: 'never-started' });
  });

  it('returns the same prediction id for a duplicate event, scored twice', async () => {
    const out = await scoreRecords([rec('1', ride('a')), rec('2', ride('a'))], distanceScorer());
    const ids = out.map((o) => (o.status === 'scored' ? JSON.parse(o.payload).predictionId : o.status));
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it.each([
    ['a v1 event', ride('a', { schemaVersion: 1 }), 'CONTRACT_VERSION_RETIRED', 'schemaVersion'],
    [
      'a drop-off before its pickup',
      aCompleted('a', { occurredAt: '2024-01-15T08:00:00-05:00' }),
      'DROPOFF_BEFORE_PICKUP',
      'occurredAt',
    ],
    ['an unknown type', ride('a', { type: 'ride.cancelled' }), 'INVALID_EVENT', 'type'],
  ])('returns rejected for %s, with its code and field', async (_, event, code, field) => {
    const [out] = await scoreRecords([rec('1', event)], distanceScorer());
    expect(out).toMatchObject({ status: 'rejected', code });
    expect(out!.status === 'rejected' && out!.issues.map((i) => i.path)).toEqual([field]);
  });

  it('returns rejected outcomes for a permanent model failure, naming its code', async () => {
    const scorer: Predictor = {
      kind: 'tip',
      model: { name: 't', version: '1' },
      predict: async () => {
        throw Object.assign(new Error('bad graph'), { code: 'MODEL_RUN_FAILED', retriable: false });
      },
    };
    const out = await scoreRecords([rec('1', aCompleted('a'))], scorer);
    expect(out[0]).toMatchObject({ status: 'rejected', code: 'MODEL_RUN_FAILED' });
  });

  it('returns retry outcomes for a transient model failure', async () => {
    const scorer: Predictor = {
      kind: 'tip',
      model: { name: 't', version: '1' },
      predict: async () => {
        throw Object.assign(new Error('busy'), { retriable: true });
      },
    };
    const out = await scoreRecords([rec('1', aCompleted('a')), rec('2', null)], scorer);
    expect(out.map((o) => o.status)).toEqual(['retry', 'rejected']);
  });

  it('returns retry outcomes, not dead letters, for an unknown scoring failure (a bug must not drop rides)', async () => {
    const scorer: Predictor = {
      kind: 'tip',
      model: { name: 't', version: '1' },
      predict: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'length')");
      },
    };
    const out = await scoreRecords([rec('1', aCompleted('a'))], scorer);
    expect(out.map((o) => o.status)).toEqual(['retry']);
  });

  it('rejects a non-finite prediction instead of publishing it', async () => {
    const scorer: Predictor = {
      kind: 'tip',
      model: { name: 't', version: '1' },
      predict: async (_f, n) => new Float32Array(n).fill(NaN),
    };
    const out = await scoreRecords([rec('1', aCompleted('a'))], scorer);
    expect(out[0]).toMatchObject({ status: 'rejected', code: 'NON_FINITE_PREDICTION' });
  });
});

describe('planMessages', () => {
  it('returns predictions keyed by ride id and dead letters with the original bytes and the reason headers', async () => {
    const scorer = distanceScorer();
    const out = await scoreRecords([rec('41', ride('a')), rec('42', '\u0000garbage')], scorer);
    const msgs = planMessages(
      planBatch(out),
      { outputStream: 'preds', deadLetterStream: 'rides.dlq', consumerName: 'duration-consumer', scorer },
      { stream: 'rides', partition: '2' },
      new Date('2024-01-01T00:00:00Z'),
    );
    expect(msgs.map((m) => [m.stream, m.key])).toEqual([
      ['preds', 'a'],
      ['rides.dlq', 'k'],
    ]);
    expect(JSON.parse(String(msgs[0]!.value))).toMatchObject({ rideId: 'a', value: 10 });
    expect(msgs[0]!.headers).toEqual({ traceparent: '00-abc-def-01' });
    expect(String(msgs[1]!.value)).toBe('\u0000garbage');
    expect(msgs[1]!.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'INVALID_JSON',
      [DLQ_HEADERS.sourceStream]: 'rides',
      [DLQ_HEADERS.sourcePartition]: '2',
      [DLQ_HEADERS.sourcePosition]: '42',
      [DLQ_HEADERS.consumer]: 'duration-consumer',
      [DLQ_HEADERS.modelVersion]: 'ride-duration@7',
      [DLQ_HEADERS.failedAt]: '2024-01-01T00:00:00.000Z',
    });
  });

  it('clips huge reasons so a dead letter never carries a megabyte of headers', () => {
    const h = deadLetterHeaders(
      {
        status: 'rejected',
        record: rec('1', 'x'),
        code: 'INVALID_EVENT',
        reason: 'r'.repeat(100_000),
        issues: Array.from({ length: 5000 }, () => ({ path: 'p', message: 'm' })),
      },
      { source: { stream: 's', partition: '0' }, consumer: 'c', modelVersion: 'm@1', failedAt: new Date(0) },
    );
    expect(h[DLQ_HEADERS.reason]!.length).toBeLessThanOrEqual(2001);
    expect(h[DLQ_HEADERS.issues]!.length).toBeLessThanOrEqual(2001);
  });
});
