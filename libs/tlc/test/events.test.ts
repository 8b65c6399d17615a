import { validateRideEvent } from '@ridestream/features';
import { describe, expect, it } from 'vitest';
import { cleanTrips, rideTimeline, tripToEventCandidates, type TlcTrip } from '../src/index';

/** 2024-01-15 08:30 -> 08:45 New York wall time, as TLC stores it (naive, encoded as UTC). */
const trip = (overrides: Partial<TlcTrip> = {}): TlcTrip => ({
  vendorId: 2,
  pickupWallMs: Date.UTC(2024, 0, 15, 8, 30),
  dropoffWallMs: Date.UTC(2024, 0, 15, 8, 45),
  puLocationId: 74,
  doLocationId: 236,
  passengerCount: 1,
  tripDistance: 2.5,
  fareAmount: 14,
  tipAmount: 3.5,
  totalAmount: 21.3,
  paymentType: 1,
  ...overrides,
});

describe('tripToEventCandidates', () => {
  it('returns the three v2 events of a trip, each valid, with deterministic ids', () => {
    const { started, completed, paid } = tripToEventCandidates(trip(), 'm-7');
    for (const e of [started, completed, paid]) expect(validateRideEvent(e).ok).toBe(true);
    expect(started).toMatchObject({
      type: 'ride.started',
      eventId: 'm-7:started',
      occurredAt: '2024-01-15T08:30:00-05:00',
      plannedDistance: 2.5,
    });
    expect(completed).toMatchObject({
      type: 'ride.completed',
      eventId: 'm-7:completed',
      occurredAt: '2024-01-15T08:45:00-05:00',
      startedAt: '2024-01-15T08:30:00-05:00',
      tripDistance: 2.5,
      fareAmount: 14,
      paymentType: 1,
    });
    expect(paid).toMatchObject({
      type: 'ride.paid',
      eventId: 'm-7:paid',
      occurredAt: completed.occurredAt,
      tipAmount: 3.5,
      totalAmount: 21.3,
    });
  });

  it('returns a ride.started with nothing known after the pickup', () => {
    const { started } = tripToEventCandidates(trip(), 'm-7');
    for (const later of ['fareAmount', 'paymentType', 'tipAmount', 'tripDistance', 'startedAt'])
      expect(started).not.toHaveProperty(later);
  });
});

describe('cleanTrips', () => {
  it('returns the ground truth from the events: duration = completed - started, tip from ride.paid', () => {
    const { rides } = cleanTrips([trip()], 'tip', 't');
    expect(rides[0]).toMatchObject({ durationMin: 15, tipAmount: 3.5, rideId: 't-0' });
    expect(rides[0]!.dropoffMs - rides[0]!.pickupMs).toBe(15 * 60_000);
  });

  it('drops a trip whose drop-off is before its pickup, counted as DROPOFF_BEFORE_PICKUP', () => {
    const back = trip({ dropoffWallMs: Date.UTC(2024, 0, 15, 8, 0) });
    const { rides, dropped } = cleanTrips([back, trip()], 'none', 't');
    expect(rides.map((r) => r.rideId)).toEqual(['t-1']);
    expect(dropped).toEqual({ 'contract: ride.completed DROPOFF_BEFORE_PICKUP': 1 });
  });

  it('drops a trip whose payment breaks the contract (a refund row), naming the event and field', () => {
    const { dropped } = cleanTrips([trip({ tipAmount: -1 })], 'none', 't');
    expect(dropped).toEqual({ 'contract: ride.paid tipAmount': 1 });
  });

  it('returns rides that rideTimeline puts on one clock', () => {
    const early = trip({ pickupWallMs: Date.UTC(2024, 0, 15, 8, 40), dropoffWallMs: Date.UTC(2024, 0, 15, 8, 42) });
    const { rides } = cleanTrips([trip(), early], 'none', 't');
    expect([...rideTimeline(rides)].map((e) => e.eventId)).toEqual([
      't-0:started',
      't-1:started',
      't-1:completed',
      't-1:paid',
      't-0:completed',
      't-0:paid',
    ]);
  });
});
