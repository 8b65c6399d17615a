import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rideTimeline, type TimedRide } from '../src/index';

interface Ev {
  readonly ride: number;
  readonly type: 'started' | 'completed' | 'paid';
  readonly at: number;
}

const ride = (id: number, pickupMs: number, dropoffMs: number): TimedRide<Ev, Ev, Ev> => ({
  pickupMs,
  dropoffMs,
  started: { ride: id, type: 'started', at: pickupMs },
  completed: { ride: id, type: 'completed', at: dropoffMs },
  paid: { ride: id, type: 'paid', at: dropoffMs },
});

const label = (e: Ev) => `${e.ride}:${e.type}`;

describe('rideTimeline', () => {
  it('returns pickups and drop-offs interleaved as they happened', () => {
    // Ride 0: 0-30, ride 1: 10-20 (overtakes ride 0), ride 2: 25-40, given out of pickup order.
    const events = [...rideTimeline([ride(2, 25, 40), ride(0, 0, 30), ride(1, 10, 20)])];
    expect(events.map(label)).toEqual([
      '0:started',
      '1:started',
      '1:completed',
      '1:paid',
      '2:started',
      '0:completed',
      '0:paid',
      '2:completed',
      '2:paid',
    ]);
  });

  it('returns the drop-offs due at an instant before the pickup at that instant, completed before paid', () => {
    const events = [...rideTimeline([ride(0, 0, 10), ride(1, 10, 10)])];
    expect(events.map(label)).toEqual(['0:started', '0:completed', '0:paid', '1:started', '1:completed', '1:paid']);
  });

  it('returns every event once, in time order, each ride started < completed < paid (any rides)', () => {
    const rides = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 300 })).map(([p, d]) => ({ p, d })),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(rides, (rs) => {
        const events = [...rideTimeline(rs.map((r, i) => ride(i, r.p, r.p + r.d)))];
        expect(events).toHaveLength(rs.length * 3);
        for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at);
        const seen = new Map<number, string[]>();
        for (const e of events) seen.set(e.ride, [...(seen.get(e.ride) ?? []), e.type]);
        for (const types of seen.values()) expect(types).toEqual(['started', 'completed', 'paid']);
        expect(seen.size).toBe(rs.length);
      }),
    );
  });

  it('returns the same stream for the same rides (deterministic ties)', () => {
    const rides = Array.from({ length: 50 }, (_, i) => ride(i, (i * 7) % 5, ((i * 7) % 5) + (i % 3)));
    expect([...rideTimeline(rides)].map(label)).toEqual([...rideTimeline(rides)].map(label));
  });
});
