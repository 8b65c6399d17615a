/** A ride's three events and the instants they happen at (epoch ms): pickup, then drop-off (completed, then paid). */
export interface TimedRide<S, C, P> {
  readonly pickupMs: number;
  readonly dropoffMs: number;
  readonly started: S;
  readonly completed: C;
  readonly paid: P;
}

interface Pending<E> {
  readonly at: number;
  /** Push order: breaks ties so that a ride's `completed` leaves before its `paid`, and the output is deterministic. */
  readonly seq: number;
  readonly event: E;
}

const before = <E>(a: Pending<E>, b: Pending<E>) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** The drop-offs still to come, earliest first: a binary min-heap on (instant, push order). */
class DropoffQueue<E> {
  private readonly items: Pending<E>[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Pending<E> | undefined {
    return this.items[0];
  }

  push(item: Pending<E>): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): Pending<E> | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * A month of rides as its stream of events on the ride's own clock: every ride's `started` at its pickup and its
 * `completed` then `paid` at its drop-off, pickups and drop-offs interleaved as they happened.
 *
 * Rides are walked in pickup order; each ride's drop-off events wait in a min-heap until the clock reaches them, so
 * memory holds only the rides in progress (not a sort of every event). At one instant, drop-offs that are due leave
 * before the next pickup, and ties keep input order: the same rides always give the same stream.
 *
 * @example
 * rideTimeline(rides).map((e) => e.type) // ['ride.started', 'ride.started', 'ride.completed', 'ride.paid', ...]
 */
export function* rideTimeline<S, C, P>(rides: readonly TimedRide<S, C, P>[]): Generator<S | C | P> {
  // TLC files are only roughly in pickup order; a stable sort keeps the file order among equal pickups.
  const byPickup = rides.map((ride, index) => ({ ride, index })).sort((a, b) => a.ride.pickupMs - b.ride.pickupMs);
  const dropoffs = new DropoffQueue<C | P>();
  let seq = 0;
  for (const { ride } of byPickup) {
    while ((dropoffs.peek()?.at ?? Infinity) <= ride.pickupMs) yield dropoffs.pop()!.event;
    yield ride.started;
    dropoffs.push({ at: ride.dropoffMs, seq: seq++, event: ride.completed });
    dropoffs.push({ at: ride.dropoffMs, seq: seq++, event: ride.paid });
  }
  while (dropoffs.size > 0) yield dropoffs.pop()!.event;
}
