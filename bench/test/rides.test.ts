import type { RideEvent } from '@ridestream/features';
import type { CleanRide } from '@ridestream/tlc';
import { describe, expect, it } from 'vitest';
import { eventPayloads, monthTimeline } from '../src/rides';

/** A ride with the three events the stream reads (only `type`, `rideId`, `eventId` matter here). */
function ride(id: string, pickupMin: number, dropoffMin: number): CleanRide {
  const event = (type: RideEvent['type']) => ({ type, rideId: id, eventId: `${id}:${type.slice(5)}` }) as RideEvent;
  return {
    rideId: id,
    pickupMs: pickupMin * 60_000,
    dropoffMs: dropoffMin * 60_000,
    started: event('ride.started'),
    completed: event('ride.completed'),
    paid: event('ride.paid'),
  } as unknown as CleanRide;
}

// File order is not pickup order: b picks up first; a ends after c starts.
const month = [ride('a', 10, 30), ride('b', 0, 5), ride('c', 20, 25)];
const decoded = (payloads: { key: string; value: Buffer }[]) =>
  payloads.map((p) => {
    const e = JSON.parse(p.value.toString('utf8')) as RideEvent;
    return `${p.key} ${e.type.slice(5)} ${e.eventId}`;
  });

describe('monthTimeline', () => {
  it('returns every event on the ride clock, rides numbered in pickup order', () => {
    expect(monthTimeline(month).map(({ ride: i, event }) => `${i} ${event.rideId} ${event.type.slice(5)}`)).toEqual([
      '0 b started',
      '0 b completed',
      '0 b paid',
      '1 a started',
      '2 c started',
      '2 c completed',
      '2 c paid',
      '1 a completed',
      '1 a paid',
    ]);
  });
});

describe('eventPayloads', () => {
  const timeline = monthTimeline(month);

  it('returns the three events of each of n rides, whole copies first, each copy under its own ride ids', () => {
    const { payloads, types } = eventPayloads(timeline, 5, 'x');
    expect(payloads).toHaveLength(15);
    expect(types).toHaveLength(15);
    expect(decoded(payloads)).toEqual([
      'x0-0 started x0-0:started',
      'x0-0 completed x0-0:completed',
      'x0-0 paid x0-0:paid',
      'x0-1 started x0-1:started',
      'x0-2 started x0-2:started',
      'x0-2 completed x0-2:completed',
      'x0-2 paid x0-2:paid',
      'x0-1 completed x0-1:completed',
      'x0-1 paid x0-1:paid',
      // The second copy stops after two rides (by pickup), each with its later events.
      'x1-0 started x1-0:started',
      'x1-0 completed x1-0:completed',
      'x1-0 paid x1-0:paid',
      'x1-1 started x1-1:started',
      'x1-1 completed x1-1:completed',
      'x1-1 paid x1-1:paid',
    ]);
    expect(types.filter((t) => t === 'ride.started')).toHaveLength(5);
    expect(types).toEqual(decoded(payloads).map((d) => `ride.${d.split(' ')[1]}`));
  });
});
