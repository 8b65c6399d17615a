import { describe, expect, it } from 'vitest';
import { createAggregator } from '../src/aggregator';
import type { SeenPrediction } from '../src/decode';
import { parsePromText } from '../src/prom-text';

const target = { name: 'duration-consumer', url: 'http://127.0.0.1:1/metrics' };
const prediction = (kind: string, version: string, rideId = 'r'): SeenPrediction => ({
  kind,
  model: { name: `ride-${kind}`, version },
  rideId,
  eventTime: '2024-01-01T10:00:00-05:00',
  scoredAt: '2026-12-01T12:00:00.000Z',
  value: 1,
});
const consumerMetrics = (lag: number, buckets: [string, number][]) =>
  parsePromText(
    [
      `ridestream_consumer_lag{partition="0",consumer="duration-consumer"} ${lag}`,
      ...buckets.map(([le, n]) => `ridestream_end_to_end_seconds_bucket{le="${le}",consumer="duration-consumer"} ${n}`),
    ].join('\n'),
  );

describe('createAggregator', () => {
  it('returns totals and per-second rates since the previous tick', () => {
    const agg = createAggregator({ historyFrames: 10, latestRows: 5 });
    agg.rides(10);
    agg.prediction(prediction('duration', '2'));
    const first = agg.tick(1_000);
    expect(first.rides).toEqual({ total: 10, perSec: 0 });
    agg.rides(30);
    for (let i = 0; i < 4; i++) agg.prediction(prediction('duration', '2'));
    agg.prediction(prediction('duration', '3'));
    const second = agg.tick(3_000);
    expect(second.rides).toEqual({ total: 40, perSec: 15 });
    expect(second.predictions).toEqual({
      'duration ride-duration@2': { total: 5, perSec: 2 },
      'duration ride-duration@3': { total: 1, perSec: 0.5 },
    });
  });

  it('returns dead letters per reason code with every consumer and model version that sent one', () => {
    const agg = createAggregator({ historyFrames: 10, latestRows: 5 });
    agg.deadLetter({ code: 'INVALID_JSON', reason: 'old', consumer: 'tip-consumer', modelVersion: 'ride-tip@3' });
    agg.deadLetter({ code: 'INVALID_JSON', reason: 'new', consumer: 'duration-consumer', modelVersion: 'd@2' });
    agg.deadLetter({ code: 'INVALID_JSON', reason: 'new', consumer: 'tip-consumer', modelVersion: 'ride-tip@3' });
    agg.deadLetter({ code: 'UNKNOWN', reason: '' });
    expect(agg.tick(0).deadLetters).toEqual({
      INVALID_JSON: {
        count: 3,
        reason: 'new',
        consumers: ['tip-consumer', 'duration-consumer'],
        modelVersions: ['ride-tip@3', 'd@2'],
      },
      UNKNOWN: { count: 1, reason: '', consumers: [], modelVersions: [] },
    });
  });

  it('returns lag per partition and latency percentiles of what was observed between two scrapes', () => {
    const agg = createAggregator({ historyFrames: 10, latestRows: 5 });
    agg.scraped(target, {
      samples: consumerMetrics(5, [
        ['0.01', 0],
        ['0.1', 100],
        ['+Inf', 100],
      ]),
    });
    // 100 new observations, all above 0.1 s: the percentiles move to the top finite bound.
    agg.scraped(target, {
      samples: consumerMetrics(7, [
        ['0.01', 0],
        ['0.1', 100],
        ['+Inf', 200],
      ]),
    });
    const frame = agg.tick(0);
    expect(frame.lag).toEqual({ 'duration-consumer p0': 7 });
    expect(frame.e2eMs).toEqual({
      'duration-consumer p50': 100,
      'duration-consumer p95': 100,
      'duration-consumer p99': 100,
    });
    expect(frame.instances).toEqual([{ ...target, up: true, role: 'duration-consumer' }]);
  });

  it('returns no latency for an interval without observations, and Kinesis lag in ms per shard', () => {
    const agg = createAggregator({ historyFrames: 10, latestRows: 5 });
    const kinesis = parsePromText(
      'ridestream_kinesis_millis_behind_latest{shard="shardId-000000000001",consumer="tip-consumer"} 250\n' +
        'ridestream_model_info{model="ride-tip",version="3",consumer="tip-consumer"} 1\n' +
        'ridestream_end_to_end_seconds_bucket{le="+Inf",consumer="tip-consumer"} 4',
    );
    agg.scraped(target, { samples: kinesis });
    agg.scraped(target, { samples: kinesis });
    const frame = agg.tick(0);
    expect(frame.lag).toEqual({ 'tip-consumer shardId-000000000001 ms': 250 });
    expect(frame.e2eMs).toEqual({});
    expect(frame.instances[0]).toMatchObject({ up: true, modelVersion: '3' });
  });

  it('returns the configured targets in their order, as not scraped yet until their first scrape', () => {
    const producer = { name: 'producer', url: 'http://127.0.0.1:2/metrics' };
    const agg = createAggregator({ targets: [producer, target], historyFrames: 10, latestRows: 5 });
    agg.scraped(target, { samples: consumerMetrics(1, []) });
    expect(agg.tick(0).instances).toEqual([
      { ...producer, up: false, error: 'not scraped yet' },
      { ...target, up: true, role: 'duration-consumer' },
    ]);
  });

  it('returns a target that stopped answering as down, with its error and no lag', () => {
    const agg = createAggregator({ historyFrames: 10, latestRows: 5 });
    agg.scraped(target, { samples: consumerMetrics(5, []) });
    agg.scraped(target, { error: 'fetch failed' });
    const frame = agg.tick(0);
    expect(frame.instances).toEqual([{ ...target, up: false, error: 'fetch failed' }]);
    expect(frame.lag).toEqual({});
  });

  it('returns each prediction once in the frame after it arrived, newest first, and keeps the latest for new pages', () => {
    const agg = createAggregator({ historyFrames: 2, latestRows: 2 });
    agg.prediction(prediction('tip', '3', 'a'));
    agg.prediction(prediction('tip', '3', 'b'));
    agg.prediction(prediction('tip', '3', 'c'));
    expect(agg.tick(0).latest.map((r) => r.rideId)).toEqual(['c', 'b']);
    expect(agg.tick(1000).latest).toEqual([]);
    agg.tick(2000);
    const snapshot = agg.snapshot('Kafka x');
    expect(snapshot.frames.map((f) => f.t)).toEqual([1, 2]);
    expect(snapshot.frames.every((f) => f.latest.length === 0 && f.monitor === null)).toBe(true);
    expect(snapshot.latest.map((r) => `${r.rideId} ${r.model}`)).toEqual(['c ride-tip@3', 'b ride-tip@3']);
  });
});
