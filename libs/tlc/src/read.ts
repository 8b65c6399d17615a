import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { TlcError } from './errors';

/** One green-taxi trip, normalised across the TLC's yearly schema changes (int64 vs int32 vs double ids). */
export interface TlcTrip {
  readonly vendorId: number;
  /** Naive New York wall-clock time, encoded as if it were UTC (that is how the files store it). */
  readonly pickupWallMs: number;
  readonly dropoffWallMs: number;
  readonly puLocationId: number;
  readonly doLocationId: number;
  readonly passengerCount: number | null;
  readonly tripDistance: number;
  readonly fareAmount: number;
  readonly tipAmount: number;
  /** What the rider paid in all (fare, surcharges, tolls, tip): the `ride.paid` total. */
  readonly totalAmount: number;
  readonly paymentType: number | null;
}

/** Column -> the physical types it may have in any year's file. */
const COLUMNS = {
  VendorID: ['INT64', 'INT32', 'DOUBLE'],
  lpep_pickup_datetime: ['INT64', 'INT96'],
  lpep_dropoff_datetime: ['INT64', 'INT96'],
  PULocationID: ['INT64', 'INT32', 'DOUBLE'],
  DOLocationID: ['INT64', 'INT32', 'DOUBLE'],
  passenger_count: ['DOUBLE', 'INT64', 'INT32'],
  trip_distance: ['DOUBLE', 'FLOAT'],
  fare_amount: ['DOUBLE', 'FLOAT'],
  tip_amount: ['DOUBLE', 'FLOAT'],
  total_amount: ['DOUBLE', 'FLOAT'],
  payment_type: ['DOUBLE', 'INT64', 'INT32'],
} as const;
type Column = keyof typeof COLUMNS;

const num = (v: unknown): number | null =>
  v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : (v as number);
const time = (v: unknown): number => (v instanceof Date ? v.getTime() : NaN);

/**
 * Reads a TLC green-taxi parquet file of any year. Fails naming the file and column when a column is missing or
 * of a type no TLC release used, or when the file has no rows.
 *
 * @example
 * const trips = await readTlcFile('data/tlc/green_tripdata_2024-01.parquet');
 */
export async function readTlcFile(path: string, options: { limit?: number } = {}): Promise<TlcTrip[]> {
  let file;
  let metadata;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (cause) {
    throw new TlcError('FILE_UNREADABLE', `${path}: not a readable parquet file (${(cause as Error).message})`, {
      cause,
      context: { file: path },
    });
  }
  const types = new Map(metadata.schema.slice(1).map((s) => [s.name, s.type]));
  for (const [column, allowed] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
    const type = types.get(column);
    if (type === undefined)
      throw new TlcError('MISSING_COLUMN', `${path}: missing column ${column}`, { context: { file: path, column } });
    if (!allowed.includes(type))
      throw new TlcError('WRONG_TYPE', `${path}: column ${column} is ${type}, expected one of ${allowed.join('/')}`, {
        context: { file: path, column },
      });
  }
  const rowCount = Number(metadata.num_rows);
  if (rowCount === 0) throw new TlcError('NO_ROWS', `${path}: no rows`, { context: { file: path } });
  const rows = await parquetReadObjects({
    file,
    compressors,
    columns: Object.keys(COLUMNS),
    rowEnd: options.limit === undefined ? undefined : Math.min(options.limit, rowCount),
  });
  return rows.map((r) => ({
    vendorId: num(r.VendorID) ?? 0,
    pickupWallMs: time(r.lpep_pickup_datetime),
    dropoffWallMs: time(r.lpep_dropoff_datetime),
    puLocationId: num(r.PULocationID) ?? 0,
    doLocationId: num(r.DOLocationID) ?? 0,
    passengerCount: num(r.passenger_count),
    tripDistance: num(r.trip_distance) ?? NaN,
    fareAmount: num(r.fare_amount) ?? NaN,
    tipAmount: num(r.tip_amount) ?? NaN,
    totalAmount: num(r.total_amount) ?? NaN,
    paymentType: num(r.payment_type),
  }));
}
