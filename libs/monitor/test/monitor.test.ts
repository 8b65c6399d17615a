import { FEATURE_SPECS, makePrediction, type PredictionKind, type RideEvent } from '@ridestream/features';
import { aCompleted, aPaid, aStarted } from '@ridestream/features/testing';
import { describe, expect, it } from 'vitest';
import { createMonitor, type MonitorOptions, type ReferenceProfile } from '../src/index';

const HOUR = 3_600_000;
const streams = {
  rides: 'rides',
  predictions: { duration: 'ride-duration-predictions', tip: 'tip-predictions' },
  shadowSuffix: '.shadow',
} as const;
const opts: MonitorOptions = { streams, join: { windowMs: HOUR, maxTruthDelayMs: 2 * HOUR, allowedLatenessMs: 0 } };
const json = (v: unknown) => JSON.stringify(v);

function predicted(kind: PredictionKind, event: RideEvent, value: number, version = '3') {
  return json(
    makePrediction({
      kind,
      model: { name: kind === 'duration' ? 'ride-duration' : 'ride-tip', version },
      event,
      value,
      scoredAt: new Date('2024-01-15T14:00:00Z'),
    }),
  );
}

/** The fixture ride is 15 minutes (08:30-08:45 New York), so its actual duration is 15. */
function day(monitor: ReturnType<typeof createMonitor>) {
  const started = aStarted('r1');
  const completed = aCompleted('r1');
  const paid = aPaid('r1', { paymentType: 1, tipAmount: 3 });
  monitor.observe('rides', json(started));
  monitor.observe('ride-duration-predictions', predicted('duration', started, 12));
  monitor.observe('ride-duration-predictions.shadow', predicted('duration', started, 16, '4'));
  monitor.observe('rides', json(completed));
  monitor.observe('tip-predictions', predicted('tip', completed, 2.5));
  monitor.observe('rides', json(paid));
}

describe('createMonitor', () => {
  it('returns accuracy per kind, version and role from the ride events and the prediction streams', () => {
    const monitor = createMonitor(opts);
    day(monitor);
    const records = monitor.advance(true).filter((r) => r.value.type === 'accuracy');
    const byKey = Object.fromEntries(records.map((r) => [r.key.split(':').slice(0, 4).join(':'), r.value]));
    expect(byKey['accuracy:duration:ride-duration@3:champion']).toMatchObject({ matched: 1, rmse: 3, mae: 3 });
    expect(byKey['accuracy:duration:ride-duration@4:shadow']).toMatchObject({ matched: 1, rmse: 1 });
    expect(byKey['accuracy:tip:ride-tip@3:champion']).toMatchObject({ matched: 1, rmse: 0.5 });
    expect(monitor.counters()).toEqual({ predictions: 3, truths: 2, undecodable: 0 });
  });

  it('takes no tip truth from a cash payment (TLC records card tips only)', () => {
    const monitor = createMonitor(opts);
    const completed = aCompleted('r2');
    monitor.observe('tip-predictions', predicted('tip', completed, 1));
    monitor.observe('rides', json(aPaid('r2', { paymentType: 2, tipAmount: 0 })));
    const [w] = monitor.advance(true);
    expect(w!.value).toMatchObject({ type: 'accuracy', predictions: 1, matched: 0, coverage: 0 });
  });

  it('counts a message its stream does not promise and ignores streams it does not watch', () => {
    const monitor = createMonitor(opts);
    expect(monitor.observe('ride-duration-predictions', 'not json')).toBe('undecodable');
    expect(monitor.observe('tip-predictions', json({ kind: 'tip' }))).toBe('undecodable');
    expect(monitor.observe('somebody-else', 'x')).toBe('ignored');
    expect(monitor.observe('rides', json(aStarted('r3')))).toBe('event');
    expect(monitor.counters().undecodable).toBe(2);
  });

  it('reports drift of the scored event features and of the predictions against the reference profile', () => {
    const names = FEATURE_SPECS.duration.names;
    const profile: ReferenceProfile = {
      kind: 'duration',
      rows: 1000,
      columns: {
        ...Object.fromEntries(
          names.map((n) => [n, { type: 'numeric' as const, edges: [], proportions: [1], missing: 0 }]),
        ),
        prediction: { type: 'numeric', edges: [20], proportions: [1, 0], missing: 0 },
      },
    };
    const monitor = createMonitor({ ...opts, profiles: { duration: profile } });
    day(monitor);
    const drift = monitor.advance(true).find((r) => r.value.type === 'drift');
    expect(drift?.key).toMatch(/^drift:duration:/);
    const columns = drift!.value.type === 'drift' ? drift!.value.columns : [];
    expect(columns.map((c) => c.column)).toEqual([...names, 'prediction']);
    expect(columns.find((c) => c.column === 'planned_distance')).toMatchObject({ sample: 1, jensenShannon: 0 });
  });

  it('publishes each drift window once: an event behind the watermark opens no second, partial window', () => {
    const profile: ReferenceProfile = {
      kind: 'duration',
      rows: 1000,
      columns: Object.fromEntries(
        [...FEATURE_SPECS.duration.names, 'prediction'].map((n) => [
          n,
          { type: 'numeric' as const, edges: [], proportions: [1], missing: 0 },
        ]),
      ),
    };
    const monitor = createMonitor({ ...opts, profiles: { duration: profile } });
    const early = aStarted('r1');
    monitor.observe('rides', json(early));
    // Three hours later on the ride's clock: the first window (08:00-09:00) closes and is published.
    const later = { ...aStarted('r2'), occurredAt: new Date(Date.parse(early.occurredAt) + 3 * HOUR).toISOString() };
    monitor.observe('rides', json(later));
    const first = monitor.advance().filter((r) => r.value.type === 'drift');
    expect(first.map((r) => r.key)).toHaveLength(1);
    // A straggler of the first window, and the event time moves on again: nothing for that window again.
    monitor.observe('rides', json(aStarted('r3')));
    monitor.observe(
      'rides',
      json({
        ...later,
        rideId: 'r4',
        eventId: 'e4',
        occurredAt: new Date(Date.parse(later.occurredAt) + 2 * HOUR).toISOString(),
      }),
    );
    const again = monitor.advance().filter((r) => r.value.type === 'drift');
    expect(again.map((r) => r.key)).not.toContain(first[0]!.key);
    expect(again).toHaveLength(1);
  });

  it('resumes from a snapshot with the same result', () => {
    const whole = createMonitor(opts);
    day(whole);
    const first = createMonitor(opts);
    const started = aStarted('r1');
    first.observe('rides', json(started));
    first.observe('ride-duration-predictions', predicted('duration', started, 12));
    first.observe('ride-duration-predictions.shadow', predicted('duration', started, 16, '4'));
    const resumed = createMonitor(opts, JSON.parse(JSON.stringify(first.snapshot())));
    const completed = aCompleted('r1');
    resumed.observe('rides', json(completed));
    resumed.observe('tip-predictions', predicted('tip', completed, 2.5));
    resumed.observe('rides', json(aPaid('r1', { paymentType: 1, tipAmount: 3 })));
    expect(resumed.advance(true)).toEqual(whole.advance(true));
    expect(resumed.counters()).toEqual(whole.counters());
  });
});
