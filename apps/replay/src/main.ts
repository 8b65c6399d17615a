/**
 * `replay`: streams a TLC parquet month through the producer's HTTP API as contract v2 ride events on the ride's
 * clock: each row's `ride.started` at its pickup, `ride.completed` and `ride.paid` at its drop-off, all the month's
 * events in event-time order (pickups and drop-offs interleaved), optionally time-compressed (`--speed 60` = one
 * hour of rides per minute) and capped (`--rate` events per second). Rows that break the contract are counted and
 * reported, not sent.
 *
 *   tsx apps/replay/src/main.ts data/tlc/green_tripdata_2024-01.parquet --speed 60 --limit 10000
 */
import { DEFAULT_REPLAY_RETRY, replayRides } from '@ridestream/producer';
import { lineLogger, once, runService } from '@ridestream/runtime';
import { cleanTrips, readTlcFile, rideTimeline } from '@ridestream/tlc';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { basename } from 'node:path';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
  return n;
};
const nonNegative = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0`);
  return n;
};

const program = new Command('replay')
  .description("replay a TLC green-taxi parquet file as ride events, on the ride's clock, through POST /rides")
  .argument('<file>', 'TLC parquet file, e.g. data/tlc/green_tripdata_2024-01.parquet')
  .option('--url <url>', 'producer base URL', 'http://127.0.0.1:8080')
  .option(
    '--speed <x>',
    "ride time per wall time, e.g. 60 = one hour per minute (0 = ignore the ride's clock)",
    nonNegative('--speed'),
    0,
  )
  .option('--rate <n>', 'at most this many events per second (0 = as fast as the producer accepts)', int('--rate'), 0)
  .option('--limit <n>', 'at most this many rides, 3 events each (0 = all)', int('--limit'), 0)
  .option('--batch <n>', 'events per request', int('--batch'), 200)
  .option(
    '--concurrency <n>',
    "requests in flight (more than 1 may publish a ride's events out of order)",
    int('--concurrency'),
    1,
  )
  .option('--id-prefix <p>', 'ride id prefix (default: the file month)')
  .option(
    '--retries <n>',
    'retries of one request on 503, 429 or a connection error, then the replay stops',
    int('--retries'),
    DEFAULT_REPLAY_RETRY.retries,
  )
  .option(
    '--retry-initial-ms <ms>',
    'first retry backoff, doubled each time',
    int('--retry-initial-ms'),
    DEFAULT_REPLAY_RETRY.initialMs,
  )
  .option('--retry-max-ms <ms>', 'longest retry backoff', int('--retry-max-ms'), DEFAULT_REPLAY_RETRY.maxMs)
  .option(
    '--shutdown-timeout-ms <ms>',
    'deadline to stop after SIGINT, SIGTERM or SIGHUP (a second signal exits at once)',
    int('--shutdown-timeout-ms'),
    5_000,
  )
  .option('--no-progress', 'no progress bar (for logs)')
  .action(async (file: string, opts) => {
    const trips = await readTlcFile(file, opts.limit ? { limit: opts.limit } : {});
    const prefix = opts.idPrefix ?? basename(file).replace(/^green_tripdata_|\.parquet$/g, '');
    const { rides, dropped } = cleanTrips(trips, 'none', prefix);
    const events = [...rideTimeline(rides)];
    const droppedTotal = Object.values(dropped).reduce((a, b) => a + b, 0);
    console.error(
      `replay: ${rides.length} rides (${events.length} events) from ${file}; ${droppedTotal} rows break the contract and are not sent ${JSON.stringify(dropped)}`,
    );
    const bar = opts.progress
      ? new SingleBar(
          { format: 'replay [{bar}] {value}/{total} events | {eta}s left', hideCursor: true },
          Presets.shades_classic,
        )
      : undefined;
    bar?.start(events.length, 0);
    const ac = new AbortController();
    const work = replayRides({
      events,
      url: opts.url,
      ratePerSec: opts.rate,
      speed: opts.speed,
      batchSize: Math.max(1, opts.batch),
      concurrency: opts.concurrency,
      onProgress: (n) => bar?.update(n),
      signal: ac.signal,
      retry: { retries: opts.retries, initialMs: opts.retryInitialMs, maxMs: opts.retryMaxMs },
    });
    const finished = work.then(
      (result) => {
        bar?.stop();
        console.log(
          JSON.stringify({
            rides: rides.length,
            sent: result.sent,
            seconds: Number(result.seconds.toFixed(2)),
            eventsPerSec: Math.round(result.sent / result.seconds),
            dropped,
          }),
        );
      },
      (err: unknown) => {
        bar?.stop();
        // Stopped by a signal: the stop is the outcome, not this error.
        if (!ac.signal.aborted) throw err;
      },
    );
    // Signals, the deadline and the exit code are the services' own (runService): exit 0 when done or stopped, 1 when
    // the replay failed (the producer refused a request, or the retries of one ran out).
    await runService(
      {
        start: async () => {},
        finished,
        stop: once(async () => {
          ac.abort();
          await finished.catch(() => {});
        }),
      },
      { logger: lineLogger('replay'), shutdownTimeoutMs: opts.shutdownTimeoutMs },
    );
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`replay: ${(err as Error).message}`);
  process.exit(1);
});
