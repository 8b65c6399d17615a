import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createAccuracyJoin,
  type AccuracyJoinOptions,
  type PredictionObservation,
  type TruthObservation,
} from '../src/index';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 15, 5);
const opts: AccuracyJoinOptions = { windowMs: HOUR, maxTruthDelayMs: 2 * HOUR, allowedLatenessMs: 60_000 };
const champion = { name: 'ride-duration', version: '3' };
const shadow = { name: 'ride-duration', version: '4' };

const prediction = (
  rideId: string,
  atMs: number,
  value: number,
  model = champion,
  role: 'champion' | 'shadow' = 'champion',
): PredictionObservation => ({
  kind: 'duration',
  model,
  role,
  rideId,
  eventTimeMs: atMs,
  value,
});
const truth = (rideId: string, atMs: number, value: number): TruthObservation => ({
  kind: 'duration',
  rideId,
  eventTimeMs: atMs,
  value,
});

/** RMSE/MAE computed directly over the pairs, the way an offline evaluation does. */
function offline(pairs: readonly [number, number][]) {
  let se = 0;
  let ae = 0;
  for (const [p, t] of pairs) {
    se += (p - t) ** 2;
    ae += Math.abs(p - t);
  }
  return { rmse: Math.sqrt(se / pairs.length), mae: ae / pairs.length };
}

describe('createAccuracyJoin', () => {
  it('returns the offline RMSE and MAE per version, whatever the arrival order of predictions and truths', () => {
    const ride = fc.record({
      startMin: fc.integer({ min: 0, max: 600 }),
      durationMin: fc.integer({ min: 1, max: 60 }),
      champion: fc.double({ min: 0, max: 90, noNaN: true }),
      shadow: fc.double({ min: 0, max: 90, noNaN: true }),
      // How far (in arrival order) each observation is moved from its natural place.
      jitter: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 3, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(ride, { minLength: 1, maxLength: 150 }), (rides) => {
        const events: { at: number; apply: (j: ReturnType<typeof createAccuracyJoin>) => void }[] = [];
        rides.forEach((r, i) => {
          const id = `r${i}`;
          const start = T0 + r.startMin * 60_000;
          const end = start + r.durationMin * 60_000;
          events.push({ at: i * 3 + r.jitter[0]!, apply: (j) => j.addPrediction(prediction(id, start, r.champion)) });
          events.push({
            at: i * 3 + r.jitter[1]!,
            apply: (j) => j.addPrediction(prediction(id, start, r.shadow, shadow, 'shadow')),
          });
          events.push({ at: i * 3 + r.jitter[2]!, apply: (j) => j.addTruth(truth(id, end, r.durationMin)) });
        });
        // Everything within lateness and delay bounds: no observation may be late here.
        const join = createAccuracyJoin({ windowMs: HOUR, maxTruthDelayMs: 24 * HOUR, allowedLatenessMs: 24 * HOUR });
        for (const e of events.sort((a, b) => a.at - b.at)) e.apply(join);
        const windows = join.advance(true);
        const totals = join.totals();
        for (const [model, role, pick] of [
          [champion, 'champion', (r: (typeof rides)[number]) => r.champion],
          [shadow, 'shadow', (r: (typeof rides)[number]) => r.shadow],
        ] as const) {
          const want = offline(rides.map((r) => [pick(r), r.durationMin]));
          const total = totals.find((t) => t.role === role && t.model.version === model.version)!;
          expect(total.matched).toBe(rides.length);
          expect(total.rmse).toBeCloseTo(want.rmse, 9);
          expect(total.mae).toBeCloseTo(want.mae, 9);
          // The windows add up to the whole.
          const mine = windows.filter((w) => w.role === role);
          expect(mine.reduce((s, w) => s + w.matched, 0)).toBe(rides.length);
          expect(Math.sqrt(mine.reduce((s, w) => s + w.sumSquaredError, 0) / rides.length)).toBeCloseTo(want.rmse, 9);
        }
        expect(join.counters()).toEqual({ late: 0, truthWithoutPrediction: 0, duplicates: 0 });
      }),
      { numRuns: 60 },
    );
  });

  it('closes a window once the watermark passes its end plus the truth delay, exactly once', () => {
    const join = createAccuracyJoin(opts);
    join.addPrediction(prediction('a', T0 + 10 * 60_000, 12));
    join.addTruth(truth('a', T0 + 20 * 60_000, 10));
    expect(join.advance()).toEqual([]);
    // Watermark = newest - lateness: at T0 + 3h + lateness the first hour's window [T0, T0+1h) + 2h delay is closed.
    join.addTruth(truth('other', T0 + 3 * HOUR + opts.allowedLatenessMs, 1));
    const [w, ...rest] = join.advance();
    expect(rest).toEqual([]);
    expect(w).toMatchObject({
      windowStartMs: T0,
      windowEndMs: T0 + HOUR,
      predictions: 1,
      matched: 1,
      rmse: 2,
      mae: 2,
      coverage: 1,
      model: champion,
    });
    expect(join.advance()).toEqual([]);
  });

  it('evicts a prediction whose truth never came, counting it against coverage, and bounds the state', () => {
    const join = createAccuracyJoin(opts);
    join.addPrediction(prediction('judged', T0, 10));
    join.addTruth(truth('judged', T0 + 600_000, 11));
    join.addPrediction(prediction('never', T0 + 60_000, 10));
    expect(join.pendingRides()).toBe(2);
    join.addTruth(truth('far', T0 + 5 * HOUR, 1));
    const [w] = join.advance();
    expect(w).toMatchObject({ predictions: 2, matched: 1, coverage: 0.5 });
    // Only the newest ride (its truth, waiting for a prediction) is still held.
    expect(join.pendingRides()).toBe(1);
  });

  it('matches a truth that arrives before its prediction', () => {
    const join = createAccuracyJoin(opts);
    join.addTruth(truth('early', T0 + 900_000, 15));
    join.addPrediction(prediction('early', T0, 14));
    expect(join.totals()[0]).toMatchObject({ matched: 1, rmse: 1 });
  });

  it('counts duplicates and late observations instead of judging them twice', () => {
    const join = createAccuracyJoin(opts);
    join.addPrediction(prediction('a', T0, 10));
    join.addPrediction(prediction('a', T0, 99));
    join.addTruth(truth('a', T0 + 60_000, 10));
    join.addTruth(truth('a', T0 + 60_000, 10));
    expect(join.totals()[0]).toMatchObject({ predictions: 1, matched: 1, rmse: 0 });
    join.addTruth(truth('far', T0 + 10 * HOUR, 1));
    join.advance();
    join.addPrediction(prediction('late', T0 + 60_000, 1));
    expect(join.counters()).toEqual({ late: 1, truthWithoutPrediction: 0, duplicates: 2 });
    join.advance(true);
    expect(join.counters().truthWithoutPrediction).toBe(1);
  });

  it('resumes from a snapshot (JSON round trip) with the same result as an uninterrupted run', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 500 }),
            fc.integer({ min: 1, max: 60 }),
            fc.double({ min: 0, max: 80, noNaN: true }),
          ),
          {
            minLength: 2,
            maxLength: 80,
          },
        ),
        fc.nat(),
        (rides, cut) => {
          const observations: ((j: ReturnType<typeof createAccuracyJoin>) => void)[] = [];
          rides.forEach(([startMin, minutes, value], i) => {
            const start = T0 + startMin * 60_000;
            observations.push((j) => j.addPrediction(prediction(`r${i}`, start, value)));
            observations.push((j) => j.addTruth(truth(`r${i}`, start + minutes * 60_000, minutes)));
          });
          const at = cut % observations.length;
          const whole = createAccuracyJoin(opts);
          const wholeWindows = observations.flatMap((o) => (o(whole), whole.advance()));
          const first = createAccuracyJoin(opts);
          const firstWindows = observations.slice(0, at).flatMap((o) => (o(first), first.advance()));
          const resumed = createAccuracyJoin(opts, JSON.parse(JSON.stringify(first.snapshot())));
          const restWindows = observations.slice(at).flatMap((o) => (o(resumed), resumed.advance()));
          expect([...firstWindows, ...restWindows, ...resumed.advance(true)]).toEqual([
            ...wholeWindows,
            ...whole.advance(true),
          ]);
          expect(resumed.totals()).toEqual(whole.totals());
          expect(resumed.counters()).toEqual(whole.counters());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects a window or delay that cannot work', () => {
    expect(() => createAccuracyJoin({ ...opts, windowMs: 0 })).toThrow(RangeError);
    expect(() => createAccuracyJoin({ ...opts, maxTruthDelayMs: -1 })).toThrow(RangeError);
  });
});
