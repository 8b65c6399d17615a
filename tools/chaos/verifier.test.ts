/**
 * The chaos verifier grades `npm run chaos` and the chaos-short test, so it is tested on hand-made histories: the
 * real duration model scores three rides offline, and each history breaks one thing the verifier must catch and
 * name by ride.
 */
import { FEATURE_SPECS, type RideStarted } from '@ridestream/features';
import { aStarted } from '@ridestream/features/testing';
import { scoreEvents } from '@ridestream/batch';
import { createModel, type Model } from '@ridestream/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failures, verify } from './verifier';

const MODEL = new URL('../../models/duration/model.onnx', import.meta.url).pathname;
const rides: RideStarted[] = [
  aStarted('ride-a'),
  aStarted('ride-b', { puLocationId: 41, doLocationId: 42, plannedDistance: 1.2 }),
  aStarted('ride-c', { puLocationId: 166, doLocationId: 74, plannedDistance: 4.8 }),
];

let model: Model;
let offline: Float32Array;
beforeAll(async () => {
  model = await createModel({ path: MODEL, features: FEATURE_SPECS.duration });
  offline = await scoreEvents(model, 'duration', rides);
});
afterAll(() => model?.dispose());

interface Streamed {
  rideId: string;
  value: number;
  event: { type: string; id: string };
  model: { name: string; version: string };
}
/** What the consumer publishes for each ride when all is well. */
const clean = (): Streamed[] =>
  rides.map((r, i) => ({
    rideId: r.rideId,
    value: offline[i]!,
    event: { type: r.type, id: r.eventId },
    model: { name: model.info.name, version: model.info.version },
  }));
const check = (history: Streamed[], copies?: Map<string, number>) =>
  verify(
    'duration-consumer',
    'duration',
    rides,
    history.map((p) => JSON.stringify(p)),
    model,
    copies,
  );

describe('chaos verifier', () => {
  it('returns no failure for a clean history', async () => {
    const report = await check(clean());
    expect(report).toMatchObject({ ridesIn: 3, predictionsOut: 3, lost: 0, duplicates: 0, mismatches: 0 });
    expect(failures('exactly-once', report)).toEqual([]);
  });

  it('fails when a ride is lost, naming it', async () => {
    const report = await check(clean().filter((p) => p.rideId !== 'ride-b'));
    expect(report).toMatchObject({ lost: 1, lostRides: ['ride-b'] });
    expect(failures('at-least-once', report)).toEqual(['duration-consumer: 1 rides lost: ride-b']);
  });

  it('fails when a prediction is duplicated in exactly-once, naming the ride; at-least-once allows 1 %', async () => {
    const history = clean();
    const report = await check([...history, history[2]!]);
    expect(report).toMatchObject({ duplicates: 1, duplicatedRides: ['ride-c: 2 predictions of 1 record'], lost: 0 });
    expect(failures('exactly-once', report)).toEqual([
      'duration-consumer: 1 duplicate predictions in exactly-once (at most 0): ride-c: 2 predictions of 1 record',
    ]);
    // 1 duplicate among 3 rides is over 1 %; with a 50 % allowance at-least-once passes it.
    expect(failures('at-least-once', report)).toHaveLength(1);
    expect(failures('at-least-once', report, 0.5)).toEqual([]);
  });

  it('takes a ride sent twice predicted twice as exactly-once, and a third prediction as a duplicate', async () => {
    const history = clean();
    const copies = new Map([[rides[2]!.eventId, 2]]);
    const twice = await check([...history, history[2]!], copies);
    expect(twice).toMatchObject({ duplicates: 0, resentIn: 1, predictionsOut: 4 });
    expect(failures('exactly-once', twice)).toEqual([]);
    const thrice = await check([...history, history[2]!, history[2]!], copies);
    expect(thrice).toMatchObject({ duplicates: 1, duplicatedRides: ['ride-c: 3 predictions of 2 records'] });
    expect(failures('exactly-once', thrice)).toHaveLength(1);
  });

  it('fails when a value differs from offline scoring, naming the ride and both values', async () => {
    const history = clean();
    history[0]!.value += 0.5;
    const report = await check(history);
    expect(report.mismatches).toBe(1);
    expect(report.mismatchedRides).toEqual([`ride ride-a: streamed ${offline[0]! + 0.5}, offline ${offline[0]}`]);
    expect(failures('at-least-once', report)[0]).toMatch(/^duration-consumer: 1 rides mismatched: ride ride-a: /);
  });

  it('fails when a prediction names another model version, naming the ride', async () => {
    const history = clean();
    history[1]!.model.version = 'stale-version';
    const report = await check(history);
    expect(report.mismatchedRides).toEqual([
      `ride ride-b: scored by version stale-version, serving ${model.info.version}`,
    ]);
  });

  it("fails when a prediction carries another event's id, naming the ride", async () => {
    const history = clean();
    history[2]!.event.id = 'ride-a:started';
    const report = await check(history);
    expect(report.mismatchedRides).toEqual(['ride ride-c: prediction for event ride-a:started, sent ride-c:started']);
  });

  it('fails when only a redelivered copy differs (every copy is checked)', async () => {
    const history = clean();
    const report = await check([...history, { ...history[0]!, value: history[0]!.value + 1 }]);
    expect(report).toMatchObject({ duplicates: 1, mismatches: 1 });
    expect(report.mismatchedRides[0]).toMatch(/^ride ride-a: streamed /);
  });
});
