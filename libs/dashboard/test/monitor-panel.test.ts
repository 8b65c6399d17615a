import { describe, expect, it } from 'vitest';
import { createAggregator } from '../src/aggregator';
import { readMonitorRecord, type SeenMonitorRecord } from '../src/decode';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
/** A `model-metrics` accuracy value as apps/monitor publishes it (NaN figures become null in JSON). */
const accuracy = (version: string, windowStart: string, rmse: number, role = 'champion') => ({
  type: 'accuracy',
  kind: 'duration',
  model: { name: 'ride-duration', version },
  role,
  windowStart,
  windowEnd: new Date(Date.parse(windowStart) + 3_600_000).toISOString(),
  predictions: 10,
  matched: 8,
  sumSquaredError: 8 * rmse * rmse,
  sumAbsoluteError: 8,
  sumPrediction: 80,
  sumTruth: 80,
  coverage: 0.8,
  rmse,
  mae: 1,
});
const read = (v: unknown) => readMonitorRecord(bytes(v)) as SeenMonitorRecord;

describe('readMonitorRecord', () => {
  it('returns accuracy and drift records, with NaN figures (null in JSON) as null', () => {
    expect(read({ ...accuracy('1', '2024-01-01T00:00:00.000Z', 4), rmse: NaN })).toMatchObject({ rmse: null });
    const drift = read({
      type: 'drift',
      kind: 'tip',
      windowStart: '2024-01-01T00:00:00.000Z',
      windowEnd: '2024-01-01T01:00:00.000Z',
      columns: [
        { column: 'fare', sample: 3, jensenShannon: NaN, psi: 0.2, missing: 0, referenceMissing: 0, drifted: null },
      ],
    });
    expect(drift).toMatchObject({ type: 'drift', columns: [{ column: 'fare', jensenShannon: null, drifted: null }] });
  });

  it('rejects what is not a monitor record (it is then not shown)', () => {
    expect(readMonitorRecord(new TextEncoder().encode('not json'))).toBeUndefined();
    expect(readMonitorRecord(bytes({ type: 'accuracy', kind: 'duration' }))).toBeUndefined();
    expect(
      readMonitorRecord(bytes({ ...accuracy('1', '2024-01-01T00:00:00.000Z', 4), type: 'other' })),
    ).toBeUndefined();
  });
});

describe('the monitor panels of the frame', () => {
  it('returns null without a metrics stream, and an empty monitor before the first window closes', () => {
    expect(createAggregator({ historyFrames: 2, latestRows: 2 }).tick(0).monitor).toBeNull();
    expect(
      createAggregator({ historyFrames: 2, latestRows: 2, monitorSource: 'model-metrics' }).tick(0).monitor,
    ).toEqual({
      source: 'model-metrics',
      windows: 0,
      accuracy: [],
      rmseByWindow: [],
      drift: [],
    });
  });

  it('returns the latest window per version and role, and RMSE per window oldest first, bounded', () => {
    const agg = createAggregator({
      historyFrames: 2,
      latestRows: 2,
      monitorSource: 'model-metrics',
      monitorWindows: 2,
    });
    agg.monitorRecord(read(accuracy('1', '2024-01-01T01:00:00.000Z', 5)));
    agg.monitorRecord(read(accuracy('2', '2024-01-01T01:00:00.000Z', 3, 'shadow')));
    agg.monitorRecord(read(accuracy('1', '2024-01-01T02:00:00.000Z', 6)));
    agg.monitorRecord(read(accuracy('1', '2024-01-01T00:00:00.000Z', 4)));
    const m = agg.tick(0).monitor!;
    expect(m.windows).toBe(4);
    // The oldest window came last (a restart re-publishes): it does not replace the newer one in the table, and it
    // is the one the bounded history drops.
    expect(m.accuracy.map((a) => [a.model, a.role, a.windowStart, a.rmse])).toEqual([
      ['ride-duration@1', 'champion', '2024-01-01T02:00:00.000Z', 6],
      ['ride-duration@2', 'shadow', '2024-01-01T01:00:00.000Z', 3],
    ]);
    const hour = (h: number) => Date.parse(`2024-01-01T0${h}:00:00.000Z`) / 1000;
    expect(m.rmseByWindow).toEqual([
      { t: hour(1), values: { 'duration ride-duration@1 champion': 5, 'duration ride-duration@2 shadow': 3 } },
      { t: hour(2), values: { 'duration ride-duration@1 champion': 6 } },
    ]);
  });
});
