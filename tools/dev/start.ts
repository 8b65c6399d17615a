/**
 * `npm start`: the whole system on this machine, no Docker. Starts (or reuses, or with KAFKA_BROKERS uses) a
 * real Kafka broker, or with `--transport kinesis` a local Kinesis + DynamoDB (or KINESIS_ENDPOINT); creates the
 * topics or streams, starts producer + duration-consumer + tip-consumer as separate processes on that transport,
 * replays real TLC rides through the producer's HTTP API, and shows a live view of the prediction streams (and
 * starts the web dashboard, apps/dashboard, printing its URL).
 * With `--registry` the consumers serve their models from a real MLflow registry (tools/mlflow: `mlflow server`
 * with moto's S3, or the server in MLFLOW_TRACKING_URI) as `models:/<name>@production`, the shipped models published
 * there first, and on Kafka the model monitor (apps/monitor) publishes `model-metrics`, which the dashboard shows.
 * Not the default: the registry's venv takes minutes to install once, and its server up to two minutes to start
 * on a loaded 2-core box; without it the consumers serve the shipped files (MODEL_PATH).
 * Ctrl-C, SIGTERM or a closed terminal (SIGHUP) stops everything cleanly (and the broker or local Kinesis, if this
 * run started it), through the services' own lifecycle (runService): ordered cleanups within a deadline, a second
 * signal exits at once.
 */
import { replayRides } from '@ridestream/producer';
import { FEATURE_SPECS, type Prediction, type PredictionKind, type RideEvent } from '@ridestream/features';
import { lineLogger, once, runCleanups, runService, type CleanupStep, type Lifecycle } from '@ridestream/runtime';
import { cleanTrips, readTlcFile, rideTimeline } from '@ridestream/tlc';
import { Command, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort, startService, stopService, waitReady, type RunningService, type ServiceSpec } from './services';
import { openDevRegistry, SERVING_ALIAS, type DevRegistry } from './registry';
import { openTransport, STREAMS, TRANSPORTS, type TransportName } from './transports';
import { rememberPrediction, renderFrame, type LiveStats } from './view';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The services stop within their own deadline (SIGKILL after 30 s), then the broker (SIGKILL after 30 s). */
const SHUTDOWN_TIMEOUT_MS = 70_000;

interface StartOptions {
  transport: TransportName;
  data: string;
  rides: number;
  rate: number;
  speed: number;
  exitWhenDone: boolean;
  view: boolean;
  kafkaDir?: string;
  registry: boolean;
}

const program = new Command('start')
  .description('run ridestream locally: Kafka or Kinesis, producer, both consumers, a TLC replay and a live view')
  .addOption(new Option('--transport <name>', 'what carries the streams').choices(TRANSPORTS).default('kafka'))
  .option('--data <file>', 'TLC parquet file to replay', 'data/tlc/green_tripdata_2024-01.parquet')
  .option('--rides <n>', 'rides to replay (0 = the whole file)', (v) => Number(v), 0)
  .option('--rate <n>', 'at most this many events per second, 3 per ride (0 = no cap)', (v) => Number(v), 3000)
  .option(
    '--speed <x>',
    "ride time per wall time, e.g. 60 = one hour per minute (0 = ignore the ride's clock)",
    (v) => Number(v),
    0,
  )
  .option('--exit-when-done', 'exit 0 once every ride has both predictions (smoke test)', false)
  .option('--no-view', 'plain progress lines instead of the live view')
  .option(
    '--registry',
    'serve the models from a local MLflow registry (models:/<name>@production) and run the model monitor',
    false,
  )
  .option('--kafka-dir <dir>', 'directory of the local broker to reuse or start (default .cache/kafka)')
  .action(async (opts: StartOptions) => {
    const runId = randomUUID().slice(0, 8);
    const logger = lineLogger('start');
    const say = (m: string) => logger.info(m);
    // Pushed as each part starts and run in reverse (the transport goes last), so a stop at any moment stops what runs.
    const cleanups: CleanupStep[] = [];
    let stopping = false;
    let stopAll: (code: number) => void = () => {};
    const finished = new Promise<void>((resolve, reject) => {
      stopAll = (code) => (code === 0 ? resolve() : reject(new Error('stopping on the failure above')));
    });
    // SIGINT, SIGTERM and SIGHUP (a closed terminal), the deadline and the exit code: the services' own lifecycle.
    await runService(
      {
        start: async () => {},
        finished,
        stop: once(async () => {
          stopping = true;
          await runCleanups([...cleanups].reverse(), logger);
        }),
      },
      { logger, shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS },
    );
    const transport = await openTransport(opts.transport, { kafkaDir: opts.kafkaDir });
    say(`${transport.label}${transport.started ? ' (started by this run)' : ''}`);
    cleanups.push({ name: `stop ${transport.name}`, run: () => transport.stop() });

    try {
      await transport.createStreams();
      let registry: DevRegistry | undefined;
      if (opts.registry) {
        say('model registry: starting mlflow server and S3 (moto), publishing models/duration and models/tip');
        const since = Date.now();
        registry = await openDevRegistry({
          dir: `${ROOT}.cache/dev/registry`,
          modelsDir: `${ROOT}models`,
          // As KAFKA_BROKERS does for the broker: a server of one's own, used as it is.
          trackingUri: process.env.MLFLOW_TRACKING_URI || undefined,
        });
        const r = registry;
        cleanups.push({ name: 'stop model registry', run: () => r.stop() });
        const serving = Object.values(r.serving).map((m) => `${m.name}@${SERVING_ALIAS} = v${m.version}`);
        say(
          `MLflow UI: ${r.trackingUri}/ (${serving.join(', ')}; ready in ${((Date.now() - since) / 1000).toFixed(1)} s)`,
        );
      }
      // The monitor reads Kafka only (docs/MODEL_LIFECYCLE.md).
      const monitored = registry !== undefined && transport.name === 'kafka';

      const env = { ...transport.appEnv, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' };
      const specs: ServiceSpec[] = [
        { name: 'producer', entry: 'apps/producer/src/main.ts', port: await freePort(), env: {} },
        {
          name: 'duration-consumer',
          entry: 'apps/duration-consumer/src/main.ts',
          port: await freePort(),
          env: registry?.consumerEnv('duration') ?? {},
        },
        {
          name: 'tip-consumer',
          entry: 'apps/tip-consumer/src/main.ts',
          port: await freePort(),
          env: registry?.consumerEnv('tip') ?? {},
        },
        ...(monitored
          ? [
              {
                name: 'monitor',
                entry: 'apps/monitor/src/main.ts',
                port: await freePort(),
                env: {
                  METRICS_TOPIC: STREAMS.metrics,
                  // A group and state of this run's own: a snapshot of an earlier run would skip this run's records.
                  CONSUMER_GROUP: `model-monitor-${runId}`,
                  STATE_DIR: `${ROOT}.cache/dev/monitor/${runId}`,
                  DURATION_REFERENCE_PROFILE: `${ROOT}models/duration/reference_profile.json`,
                  TIP_REFERENCE_PROFILE: `${ROOT}models/tip/reference_profile.json`,
                },
              },
            ]
          : []),
      ].map((s) => ({ ...s, env: { ...env, ...s.env, HTTP_PORT: String(s.port) } }));
      // The web dashboard reads the same topics or streams (and the monitor's model-metrics) and scrapes the
      // services' /metrics.
      const dashboardPort = await freePort();
      const targets = specs.map((s) => `${s.name}=http://127.0.0.1:${s.port}/metrics`).join(',');
      specs.push({
        name: 'dashboard',
        entry: 'apps/dashboard/src/main.ts',
        port: dashboardPort,
        env: {
          ...env,
          HTTP_PORT: String(dashboardPort),
          SCRAPE_TARGETS: targets,
          ...(monitored ? { METRICS_TOPIC: STREAMS.metrics } : {}),
        },
      });
      const dashboardUrl = `http://127.0.0.1:${dashboardPort}/`;
      const services: RunningService[] = specs.map((s) => startService(s, ROOT, `${ROOT}.cache/logs`, process.env));
      // In parallel: each has its own deadline (SIGKILL after 30 s), and none waits for another.
      cleanups.push({ name: 'stop services', run: () => Promise.all(services.map((s) => stopService(s))) });
      // Six processes compiling at once on a loaded 2-core box: a minute each was measured not to be enough.
      await Promise.all(services.map((s) => waitReady(s, 180_000)));
      for (const s of services) say(`${s.spec.name} ready on :${s.spec.port} (logs: ${s.logFile})`);
      say(`dashboard: ${dashboardUrl}`);
      for (const s of services) {
        void s.exited.then((code) => {
          if (stopping) return;
          say(`${s.spec.name} exited with ${code}; stopping`);
          void stopAll(1);
        });
      }

      // Printed below: the run's rides can be told apart on shared topics (the smoke test reads them back).
      const ridePrefix = `start-${runId}`;
      const { rides, dropped } = cleanTrips(
        await readTlcFile(opts.data, opts.rides ? { limit: Math.ceil(opts.rides * 1.1) } : {}),
        'none',
        ridePrefix,
      );
      const replayed = opts.rides ? rides.slice(0, opts.rides) : rides;
      // The ride's clock: pickups and drop-offs interleaved as they happened.
      const events = [...rideTimeline(replayed)];
      say(
        `replaying ${replayed.length} rides as ${events.length} events in event-time order from ${opts.data} (${Object.values(dropped).reduce((a, b) => a + b, 0)} rows break the contract and are skipped; ride ids ${ridePrefix}-<row>)`,
      );

      const stats: LiveStats = {
        sent: 0,
        received: { duration: 0, tip: 0 },
        latest: [],
        startedAt: Date.now(),
        rideTotal: replayed.length,
        eventTotal: events.length,
      };
      // What each kind must answer: the event it scores, by id (a duration at pickup, a tip at drop-off).
      const expected = new Map<string, RideEvent>(events.map((e) => [e.eventId, e]));
      const mine = new Set(events.map((e) => e.rideId));
      const seen: Record<PredictionKind, Set<string>> = { duration: new Set(), tip: new Set() };
      let wrongEvent = 0;
      const check = (kind: PredictionKind, p: Prediction) => {
        const e = expected.get(p.event.id);
        if (!e || e.type !== FEATURE_SPECS[kind].eventType || p.eventTime !== e.occurredAt) wrongEvent++;
      };
      // Each reader starts at the beginning of its stream; only this run's rides count.
      const subs: Lifecycle[] = (['duration', 'tip'] as const).map((kind) =>
        transport.subscribe(
          kind,
          (p) => {
            if (!mine.has(p.rideId)) return;
            check(kind, p);
            seen[kind].add(p.rideId);
            stats.received[kind] = seen[kind].size;
            rememberPrediction(stats.latest, p);
          },
          (err) => {
            say(`reading ${kind} predictions failed: ${(err as Error).message}`);
            void stopAll(1);
          },
        ),
      );
      for (const s of subs) cleanups.push({ name: 'stop view subscriber', run: () => s.stop() });
      await Promise.all(subs.map((s) => s.start()));

      const header = [
        transport.label,
        `dashboard ${dashboardUrl}`,
        ...(registry ? [`MLflow ${registry.trackingUri}/`] : []),
      ].join('  |  ');
      let prev = { at: Date.now(), duration: 0, tip: 0 };
      const timer = setInterval(() => {
        if (opts.view && process.stdout.isTTY) process.stdout.write(renderFrame(stats, header, prev));
        else
          say(
            `sent ${stats.sent}/${events.length} events, duration ${stats.received.duration}, tip ${stats.received.tip}`,
          );
        prev = { at: Date.now(), duration: stats.received.duration, tip: stats.received.tip };
        const total = replayed.length;
        if (opts.exitWhenDone && stats.received.duration === total && stats.received.tip === total) {
          if (wrongEvent > 0) {
            say(`${wrongEvent} predictions were not stamped with the event their kind scores`);
            void stopAll(1);
          } else {
            say(`all ${total} rides have both predictions (duration at pickup, tip at drop-off)`);
            void stopAll(0);
          }
        }
      }, 1000);
      cleanups.push({ name: 'stop view', run: async () => clearInterval(timer) });

      const ac = new AbortController();
      cleanups.push({ name: 'stop replay', run: async () => ac.abort() });
      const producerUrl = `http://127.0.0.1:${specs[0]!.port}`;
      await replayRides({
        events,
        url: producerUrl,
        ratePerSec: opts.rate,
        speed: opts.speed,
        batchSize: 100,
        // One request at a time: the topic then holds the events in the order they happened.
        concurrency: 1,
        signal: ac.signal,
        onProgress: (n) => (stats.sent = n),
      });
      say(`replay done: ${events.length} events of ${replayed.length} rides sent to ${producerUrl}/rides`);
    } catch (err) {
      // A stop aborts the replay and the waits: that is no failure.
      if (stopping) return;
      say(`failed: ${(err as Error).message}`);
      stopAll(1);
    }
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`[start] ${(err as Error).message}\n`);
  process.exit(1);
});
