import { makePrediction, type Prediction } from '@ridestream/features';
import { aCompleted, aStarted } from '@ridestream/features/testing';
import { describe, expect, it } from 'vitest';
import { LATEST_SHOWN, rememberPrediction, renderFrame } from '../view';

const scoredAt = new Date('2024-01-15T14:00:00Z');
const duration = (rideId: string, occurredAt: string) =>
  makePrediction({
    kind: 'duration',
    model: { name: 'ride-duration', version: '3' },
    event: aStarted(rideId, { occurredAt }),
    value: 12,
    scoredAt,
  });
const tip = (rideId: string, occurredAt: string) =>
  makePrediction({
    kind: 'tip',
    model: { name: 'ride-tip', version: '2' },
    event: aCompleted(rideId, { occurredAt, startedAt: '2024-01-15T08:00:00-05:00' }),
    value: 2.5,
    scoredAt,
  });

describe('the live view', () => {
  it('returns the latest predictions in event order, whatever order the two streams delivered them in', () => {
    const latest: Prediction[] = [];
    // The tip stream runs ahead of the duration stream: arrival order is not the ride's order.
    rememberPrediction(latest, tip('a', '2024-01-15T08:45:00-05:00'));
    rememberPrediction(latest, duration('b', '2024-01-15T08:40:00-05:00'));
    rememberPrediction(latest, duration('a', '2024-01-15T08:30:00-05:00'));
    rememberPrediction(latest, tip('b', '2024-01-15T08:50:00-05:00'));
    expect(latest.map((p) => `${p.rideId}:${p.kind}`)).toEqual(['a:duration', 'b:duration', 'a:tip', 'b:tip']);
  });

  it(`returns only the ${LATEST_SHOWN} latest by event time`, () => {
    const latest: Prediction[] = [];
    for (let m = 10; m < 30; m++) rememberPrediction(latest, duration(`r${m}`, `2024-01-15T08:${m}:00-05:00`));
    rememberPrediction(latest, duration('old', '2024-01-15T08:00:00-05:00'));
    expect(latest.map((p) => p.rideId)).toEqual(
      Array.from({ length: LATEST_SHOWN }, (_, i) => `r${30 - LATEST_SHOWN + i}`),
    );
  });

  it('renders duration predictions at pickup and tip predictions at drop-off, with the ride clock', () => {
    const latest: Prediction[] = [];
    rememberPrediction(latest, duration('a', '2024-01-15T08:30:00-05:00'));
    rememberPrediction(latest, tip('a', '2024-01-15T08:45:00-05:00'));
    const frame = renderFrame(
      { sent: 3, received: { duration: 1, tip: 1 }, latest, startedAt: Date.now(), rideTotal: 1, eventTotal: 3 },
      'Kafka 127.0.0.1:9092',
      { at: Date.now(), duration: 0, tip: 0 },
    );
    const rows = frame.split('\n').filter((l) => l.includes('ride-'));
    expect(rows[0]).toMatch(/01-15 08:30:00 {2}pickup +a +duration/);
    expect(rows[1]).toMatch(/01-15 08:45:00 {2}drop-off +a +tip/);
    expect(frame).toContain('ride clock             01-15 08:45:00');
  });
});
