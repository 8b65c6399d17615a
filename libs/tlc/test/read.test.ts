import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTrips, readTlcFile, TlcError } from '../src/index';

const data = (month: string) => new URL(`../../../data/tlc/green_tripdata_${month}.parquet`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tlc-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small TLC-shaped file with one column changed, to check the errors name it. */
function writeTlcLike(name: string, override: { drop?: string; retype?: string; rows?: number }): string {
  const rows = override.rows ?? 3;
  const ints = (v: number) => Array.from({ length: rows }, () => BigInt(v));
  const dbl = (v: number) => Array.from({ length: rows }, () => v);
  const times = Array.from({ length: rows }, () => new Date('2024-01-01T00:00:00Z'));
  const columns = [
    { name: 'VendorID', data: ints(2), type: 'INT64' as const },
    { name: 'lpep_pickup_datetime', data: times, type: 'TIMESTAMP' as const },
    { name: 'lpep_dropoff_datetime', data: times, type: 'TIMESTAMP' as const },
    { name: 'PULocationID', data: ints(74), type: 'INT64' as const },
    { name: 'DOLocationID', data: ints(75), type: 'INT64' as const },
    { name: 'passenger_count', data: dbl(1), type: 'DOUBLE' as const },
    { name: 'trip_distance', data: dbl(1.2), type: 'DOUBLE' as const },
    { name: 'fare_amount', data: dbl(8), type: 'DOUBLE' as const },
    { name: 'tip_amount', data: dbl(1), type: 'DOUBLE' as const },
    { name: 'total_amount', data: dbl(10.5), type: 'DOUBLE' as const },
    { name: 'payment_type', data: dbl(1), type: 'DOUBLE' as const },
  ]
    .filter((c) => c.name !== override.drop)
    .map((c) => (c.name === override.retype ? { name: c.name, data: c.data.map(String), type: 'STRING' as const } : c));
  const filename = join(dir, name);
  parquetWriteFile({ filename, columnData: columns });
  return filename;
}

describe('readTlcFile', () => {
  it('returns every row of a 2021 file (int64 ids, double counts)', async () => {
    const trips = await readTlcFile(data('2021-01'));
    expect(trips).toHaveLength(76_518);
    expect(trips[0]).toMatchObject({ vendorId: 2, puLocationId: 43, pickupWallMs: Date.UTC(2021, 0, 1, 0, 15, 56) });
    // The course's 1-60 min filter count on this exact file (SOURCES.md).
    const inRange = trips.filter((t) => {
      const d = (t.dropoffWallMs - t.pickupWallMs) / 60_000;
      return d >= 1 && d <= 60;
    });
    expect(inRange).toHaveLength(73_908);
  });

  it('returns every row of a 2024 file (int32 ids, int64 counts)', async () => {
    const trips = await readTlcFile(data('2024-01'), { limit: 1000 });
    expect(trips).toHaveLength(1000);
    expect(typeof trips[0]!.puLocationId).toBe('number');
    expect(typeof trips[0]!.passengerCount).toBe('number');
  });

  it('fails naming the file and column when a column is missing', async () => {
    const f = writeTlcLike('missing.parquet', { drop: 'fare_amount' });
    await expect(readTlcFile(f)).rejects.toMatchObject({
      code: 'MISSING_COLUMN',
      context: { column: 'fare_amount', file: f },
    });
    await expect(readTlcFile(f)).rejects.toThrow(/missing\.parquet.*fare_amount/);
  });

  it('fails naming the column when its type is wrong', async () => {
    const f = writeTlcLike('retyped.parquet', { retype: 'trip_distance' });
    await expect(readTlcFile(f)).rejects.toMatchObject({ code: 'WRONG_TYPE', context: { column: 'trip_distance' } });
  });

  it('fails when the file has no rows', async () => {
    const f = writeTlcLike('empty.parquet', { rows: 0 });
    await expect(readTlcFile(f)).rejects.toMatchObject({ code: 'NO_ROWS' });
  });

  it('fails naming the file when it is not parquet', async () => {
    const f = join(dir, 'not.parquet');
    writeFileSync(f, 'hello');
    const err = await readTlcFile(f).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlcError);
    expect(err).toMatchObject({ code: 'FILE_UNREADABLE', context: { file: f } });
  });
});

describe('cleanTrips', () => {
  it('counts every dropped row by reason and keeps stable ride ids', async () => {
    const trips = await readTlcFile(data('2021-02'));
    const { rides, dropped } = cleanTrips(trips, 'tip', '2021-02');
    const droppedTotal = Object.values(dropped).reduce((a, b) => a + b, 0);
    expect(rides.length + droppedTotal).toBe(trips.length);
    expect(dropped['duration outside 1-60 min']).toBe(trips.length - 61_921);
    expect(rides.every((r) => r.completed.paymentType === 1)).toBe(true);
    expect(rides[0]!.started.rideId).toMatch(/^2021-02-\d+$/);
    expect(rides[0]!.started.occurredAt).toMatch(/-05:00$/);
  });
});
