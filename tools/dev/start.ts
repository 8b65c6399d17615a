/**
 * `npm start`: the whole system on this machine, no Docker. Starts (or reuses, or with KAFKA_BROKERS uses) a
 * real Kafka broker, creates the topics, starts producer + duration-consumer + tip-consumer as separate processes,
 * replays real TLC rides through the producer's HTTP API, and shows a live view of the prediction streams.
 * Ctrl-C stops everything cleanly (and the broker, if this run started it).
 */
import { createKafka, ensureTopics } from '@ridestream/kafka';
import { ensureKafka, stopKafka } from '@ridestream/kafka-tool';
import { replayRides } from '@ridestream/ingest';
import type { PredictionKind } from '@ridestream/features';
import { silentLogger, type Lifecycle } from '@ridestream/runtime';
import { subscribePredictions } from '@ridestream/subscriber';
import { cleanTrips, readTlcFile } from '@ridestream/tlc';
import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startService, stopService, waitReady, type RunningService } from './services';
import { renderFrame, type LiveStats } from './view';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOPICS = {
  rides: 'rides',
  duration: 'ride-duration-predictions',
  tip: 'tip-predictions',
  dlq: 'rides.dlq',
} as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const program = new Command('start')
  .description('run ridestream locally: Kafka, producer, both consumers, a TLC replay and a live view')
  .option('--data <file>', 'TLC parquet file to replay', 'data/tlc/green_tripdata_2024-01.parquet')
  .option('--rides <n>', 'rides to replay (0 = the whole file)', (v) => Number(v), 0)
  .option('--rate <n>', 'rides per second (0 = as fast as possible)', (v) => Number(v), 1000)
  .option('--exit-when-done', 'exit 0 once every ride has both predictions (smoke test)', false)
  .option('--no-view', 'plain progress lines instead of the live view')
  .action(async (opts: { data: string; rides: number; rate: number; exitWhenDone: boolean; view: boolean }) => {
    const say = (m: string) => process.stderr.write(`[start] ${m}\n`);
    const { brokers, started } = await ensureKafka();
    say(`Kafka at ${brokers}${started ? ' (started by this run)' : ''}`);
    const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
    let stopping: Promise<void> | undefined;
    const stopAll = (code: number) =>
      (stopping ??= (async () => {
        for (const c of cleanups.reverse()) {
          try {
            await c.run();
          } catch (err) {
            say(`${c.name}: ${(err as Error).message}`);
          }
        }
        if (started) await stopKafka();
        say('stopped');
        process.exit(code);
      })());
    process.once('SIGINT', () => void stopAll(0));
    process.once('SIGTERM', () => void stopAll(0));

    try {
      const admin = createKafka({ brokers: brokers.split(','), clientId: 'ridestream-start' }, silentLogger());
      await ensureTopics(
        admin,
        Object.values(TOPICS).map((topic) => ({ topic, numPartitions: 3 })),
      );

      const env = { KAFKA_BROKERS: brokers, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' };
      const specs = [
        { name: 'producer', entry: 'apps/producer/src/main.ts', port: await freePort() },
        { name: 'duration-consumer', entry: 'apps/duration-consumer/src/main.ts', port: await freePort() },
        { name: 'tip-consumer', entry: 'apps/tip-consumer/src/main.ts', port: await freePort() },
      ].map((s) => ({ ...s, env: { ...env, HTTP_PORT: String(s.port) } }));
      const services: RunningService[] = specs.map((s) => startService(s, ROOT, `${ROOT}.cache/logs`, process.env));
      for (const s of services) cleanups.push({ name: `stop ${s.spec.name}`, run: () => stopService(s) });
      await Promise.all(services.map((s) => waitReady(s)));
      for (const s of services) say(`${s.spec.name} ready on :${s.spec.port} (logs: ${s.logFile})`);
      for (const s of services) {
        void s.exited.then((code) => {
          if (stopping) return;
          say(`${s.spec.name} exited with ${code}; stopping`);
          void stopAll(1);
        });
      }

      const { rides, dropped } = cleanTrips(
        await readTlcFile(opts.data, opts.rides ? { limit: Math.ceil(opts.rides * 1.1) } : {}),
        'none',
        `start-${randomUUID().slice(0, 8)}`,
      );
      const events = (opts.rides ? rides.slice(0, opts.rides) : rides).map((r) => r.event);
      say(
        `replaying ${events.length} rides from ${opts.data} (${Object.values(dropped).reduce((a, b) => a + b, 0)} rows break the contract and are skipped)`,
      );

      const stats: LiveStats = {
        sent: 0,
        received: { duration: 0, tip: 0 },
        latest: [],
        startedAt: Date.now(),
        rideTotal: events.length,
      };
      const mine = new Set(events.map((e) => e.rideId));
      const seen: Record<PredictionKind, Set<string>> = { duration: new Set(), tip: new Set() };
      const subs: Lifecycle[] = (['duration', 'tip'] as const).map((kind) =>
        subscribePredictions({
          connection: { brokers: brokers.split(','), clientId: `start-view-${kind}` },
          topic: TOPICS[kind],
          groupId: `start-view-${randomUUID()}`,
          // From the beginning, filtered to this run's ride ids: starting at "latest" could miss predictions made
          // before the view's group had its partitions.
          fromBeginning: true,
          logger: silentLogger(),
          onPrediction: (p) => {
            if (!mine.has(p.rideId)) return;
            seen[kind].add(p.rideId);
            stats.received[kind] = seen[kind].size;
            stats.latest.unshift(p);
            stats.latest.length = Math.min(stats.latest.length, 6);
          },
        }),
      );
      for (const s of subs) cleanups.push({ name: 'stop view subscriber', run: () => s.stop() });
      await Promise.all(subs.map((s) => s.start()));

      let prev = { at: Date.now(), duration: 0, tip: 0 };
      const timer = setInterval(() => {
        if (opts.view && process.stdout.isTTY) process.stdout.write(renderFrame(stats, brokers, prev));
        else say(`sent ${stats.sent}/${events.length}, duration ${stats.received.duration}, tip ${stats.received.tip}`);
        prev = { at: Date.now(), duration: stats.received.duration, tip: stats.received.tip };
        if (opts.exitWhenDone && stats.received.duration === events.length && stats.received.tip === events.length) {
          say(`all ${events.length} rides have both predictions`);
          void stopAll(0);
        }
      }, 1000);
      cleanups.push({ name: 'stop view', run: async () => clearInterval(timer) });

      const ac = new AbortController();
      cleanups.push({ name: 'stop replay', run: async () => ac.abort() });
      const producerUrl = `http://127.0.0.1:${specs[0]!.port}`;
      await replayRides({
        rides: events,
        url: producerUrl,
        ratePerSec: opts.rate,
        batchSize: 100,
        concurrency: 4,
        signal: ac.signal,
        onProgress: (n) => (stats.sent = n),
      });
      say(`replay done: ${events.length} rides sent to ${producerUrl}/rides`);
    } catch (err) {
      say(`failed: ${(err as Error).message}`);
      await stopAll(1);
    }
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`[start] ${(err as Error).message}\n`);
  process.exit(1);
});
