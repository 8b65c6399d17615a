import { FEATURE_SPECS, predictionSchema, type PredictionKind } from '@ridestream/features';
import { cleanTrips, type TlcTrip } from '@ridestream/tlc';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchPredictions, scoreEvents, scoreRides, targetOf, writePredictions } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'batch-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trip = (i: number): TlcTrip => ({
  vendorId: 2,
  pickupWallMs: Date.UTC(2024, 0, 15, 8, i),
  dropoffWallMs: Date.UTC(2024, 0, 15, 8, 10 + 2 * i),
  puLocationId: 74,
  doLocationId: 236,
  passengerCount: 1,
  tripDistance: 1 + i,
  fareAmount: 10 + i,
  tipAmount: i,
  totalAmount: 12 + 2 * i,
  paymentType: 1,
});
const { rides } = cleanTrips([trip(0), trip(1), trip(2)], 'tip', '2024-01');

/** A stand-in model that returns one named feature of each row, to see which event each kind reads. */
const echo = (kind: PredictionKind, feature: string) => ({
  predict: async (f: Float32Array, n: number) => {
    const { names, count } = FEATURE_SPECS[kind];
    return Float32Array.from({ length: n }, (_, i) => f[i * count + names.indexOf(feature)]!);
  },
});

describe('scoreRides', () => {
  it('returns duration scored from ride.started (the planned distance) and tip from ride.completed (the fare)', async () => {
    expect([...(await scoreRides(echo('duration', 'planned_distance'), 'duration', rides, 2))]).toEqual([1, 2, 3]);
    expect([...(await scoreRides(echo('tip', 'fare_amount'), 'tip', rides))]).toEqual([10, 11, 12]);
  });

  it('fails when handed an event of a type the kind does not score', async () => {
    await expect(scoreEvents(echo('tip', 'fare_amount'), 'tip', [rides[0]!.started])).rejects.toThrow(
      /scores ride.completed, got ride.started/,
    );
  });

  it('returns the ground truth of the events: duration completed - started, tip from ride.paid', () => {
    expect(rides.map((r) => targetOf('duration', r))).toEqual([10, 11, 12]);
    expect(rides.map((r) => targetOf('tip', r))).toEqual([0, 1, 2]);
  });
});

describe('writePredictions', () => {
  const predictions = batchPredictions({
    kind: 'tip',
    model: { name: 'ride-tip', version: '7' },
    rides,
    values: [0.5, 1.5, 2.5],
    scoredAt: new Date('2024-02-01T00:00:00Z'),
  });

  it('writes a parquet table of ride ids, event ids, predictions and the model version', async () => {
    const path = join(dir, 'tips.parquet');
    await writePredictions([path], predictions);
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path) });
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({
      ride_id: '2024-01-1',
      event_id: '2024-01-1:completed',
      event_type: 'ride.completed',
      kind: 'tip',
      prediction: 1.5,
      unit: 'USD',
      model_name: 'ride-tip',
      model_version: '7',
      prediction_id: predictions[1]!.predictionId,
    });
    expect((rows[1]!.event_time as Date).getTime()).toBe(Date.parse(rides[1]!.completed.occurredAt));
  });

  it('writes JSON lines of contract-valid predictions, as on the stream, beside the parquet', async () => {
    const [jsonl, parquet] = [join(dir, 'both.jsonl'), join(dir, 'both.parquet')];
    await writePredictions([jsonl, parquet], predictions);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
    expect(lines.map((l) => predictionSchema.parse(JSON.parse(l)).event.id)).toEqual(
      rides.map((r) => r.completed.eventId),
    );
    expect(await parquetReadObjects({ file: await asyncBufferFromFile(parquet) })).toHaveLength(3);
  });
});
