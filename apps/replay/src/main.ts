/**
 * `replay`: streams a TLC parquet month through the producer's HTTP API as ride events, at a chosen rate or as
 * fast as it accepts them, with a progress bar. Rows that break the contract are counted and reported, not sent.
 *
 *   tsx apps/replay/src/main.ts data/tlc/green_tripdata_2024-01.parquet --rate 2000 --limit 10000
 */
import { replayRides } from '@ridestream/ingest';
import { cleanTrips, readTlcFile } from '@ridestream/tlc';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { basename } from 'node:path';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
  return n;
};

const program = new Command('replay')
  .description('replay a TLC green-taxi parquet file as ride events through POST /rides')
  .argument('<file>', 'TLC parquet file, e.g. data/tlc/green_tripdata_2024-01.parquet')
  .option('--url <url>', 'producer base URL', 'http://127.0.0.1:8080')
  .option('--rate <n>', 'rides per second (0 = as fast as possible)', int('--rate'), 0)
  .option('--limit <n>', 'at most this many rides (0 = all)', int('--limit'), 0)
  .option('--batch <n>', 'rides per request', int('--batch'), 200)
  .option('--concurrency <n>', 'requests in flight', int('--concurrency'), 4)
  .option('--id-prefix <p>', 'ride id prefix (default: the file month)')
  .option('--no-progress', 'no progress bar (for logs)')
  .action(async (file: string, opts) => {
    const trips = await readTlcFile(file, opts.limit ? { limit: opts.limit } : {});
    const prefix = opts.idPrefix ?? basename(file).replace(/^green_tripdata_|\.parquet$/g, '');
    const { rides, dropped } = cleanTrips(trips, 'none', prefix);
    const droppedTotal = Object.values(dropped).reduce((a, b) => a + b, 0);
    console.error(
      `replay: ${rides.length} rides from ${file}; ${droppedTotal} rows break the contract and are not sent ${JSON.stringify(dropped)}`,
    );
    const bar = opts.progress
      ? new SingleBar(
          { format: 'replay [{bar}] {value}/{total} rides | {eta}s left', hideCursor: true },
          Presets.shades_classic,
        )
      : undefined;
    bar?.start(rides.length, 0);
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    try {
      const result = await replayRides({
        rides: rides.map((r) => r.event),
        url: opts.url,
        ratePerSec: opts.rate,
        batchSize: Math.max(1, opts.batch),
        concurrency: opts.concurrency,
        onProgress: (n) => bar?.update(n),
        signal: ac.signal,
      });
      bar?.stop();
      console.log(
        JSON.stringify({
          sent: result.sent,
          seconds: Number(result.seconds.toFixed(2)),
          ridesPerSec: Math.round(result.sent / result.seconds),
          dropped,
        }),
      );
    } catch (err) {
      bar?.stop();
      throw err;
    }
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`replay: ${(err as Error).message}`);
  process.exit(1);
});
