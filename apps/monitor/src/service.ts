import { createKafka, createPublisher, ensureTopics, kafkaConnectionFromEnv } from '@ridestream/kafka';
import {
  createMonitor,
  parseReferenceProfile,
  type Monitor,
  type MonitorRecord,
  type MonitorSnapshot,
} from '@ridestream/monitor';
import { createOpsServer, type OpsServer } from '@ridestream/ops-http';
import {
  createMetricsRegistry,
  once,
  runCleanups,
  type Logger,
  type Registry,
  type Service,
} from '@ridestream/runtime';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import type { MonitorConfig } from './config';

/** What survives a restart: the join, the records not yet acknowledged, and the offsets the state covers. */
interface StateFile {
  readonly version: 1;
  /** `topic:partition` -> the next offset to observe. */
  readonly offsets: Readonly<Record<string, string>>;
  readonly monitor: MonitorSnapshot;
  readonly unpublished: readonly MonitorRecord[];
}

export interface MonitorService extends Service {
  readonly ops: OpsServer;
  readonly registry: Registry;
  /** The live core, for tests and the ops endpoint. */
  monitor(): Monitor;
}

async function readState(path: string): Promise<StateFile | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StateFile;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The monitor on Kafka: one consumer group reading the ride events, the prediction topics and their shadow twins;
 * closed windows published to METRICS_TOPIC and kept as Prometheus gauges. Its state (the join, the records not yet
 * acknowledged and the offsets they cover) is snapshotted to STATE_DIR every SNAPSHOT_INTERVAL_MS and at stop;
 * after a restart, records below the snapshot's offsets are skipped, so nothing is judged twice. Offsets are also
 * committed to the group after each snapshot, for lag dashboards.
 *
 * One instance per cluster: predictions and truth of a ride meet only if one process sees all of them.
 */
export function createMonitorService(o: { config: MonitorConfig; logger: Logger }): MonitorService {
  const { config } = o;
  const logger = o.logger.child({ component: 'monitor' });
  const statePath = join(config.STATE_DIR, 'monitor-state.json');
  const registry = createMetricsRegistry({ consumer: config.CONSUMER_GROUP });
  const kafka = createKafka(kafkaConnectionFromEnv(config, config.CONSUMER_GROUP), logger);
  const publisher = createPublisher(kafka, {});
  const consumer = kafka.consumer({ groupId: config.CONSUMER_GROUP, allowAutoTopicCreation: false });
  const streams = {
    rides: config.INPUT_TOPIC,
    predictions: { duration: config.DURATION_PREDICTIONS_TOPIC, tip: config.TIP_PREDICTIONS_TOPIC },
    shadowSuffix: config.SHADOW_SUFFIX,
  };
  const windowing = {
    windowMs: config.WINDOW_MS,
    maxTruthDelayMs: config.MAX_TRUTH_DELAY_MS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
  };
  let monitor: Monitor = createMonitor({ streams, join: windowing });
  const next = new Map<string, string>();
  let restored = new Map<string, bigint>();
  let unpublished: MonitorRecord[] = [];
  let joined = false;
  let snapshotTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const lastActivity = new Map<string, number>();
  let snapshotting: Promise<void> | undefined;
  let crashed: (err: unknown) => void = () => {};
  const finished = new Promise<void>((_, reject) => (crashed = reject));
  finished.catch(() => {});

  const registers = [registry];
  const byVersion = ['kind', 'model', 'version', 'role'] as const;
  const totalGauge = (name: string, help: string, pick: (t: ReturnType<Monitor['totals']>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: byVersion,
      registers,
      collect() {
        this.reset();
        for (const t of monitor.totals()) {
          const value = pick(t);
          if (Number.isFinite(value))
            this.set({ kind: t.kind, model: t.model.name, version: t.model.version, role: t.role }, value);
        }
      },
    });
  totalGauge(
    'ridestream_monitor_rmse',
    'RMSE of each model version on every ride judged since the start',
    (t) => t.rmse,
  );
  totalGauge('ridestream_monitor_mae', 'MAE of each model version on every ride judged since the start', (t) => t.mae);
  totalGauge('ridestream_monitor_matched', 'Predictions joined with their ground truth, per version', (t) => t.matched);
  totalGauge('ridestream_monitor_coverage', 'Judged share of the predictions of each version', (t) => t.coverage);
  const windowRmse = new Gauge({
    name: 'ridestream_monitor_window_rmse',
    help: 'RMSE of each model version in its last closed window',
    labelNames: byVersion,
    registers,
  });
  const drift = new Gauge({
    name: 'ridestream_monitor_drift_jensen_shannon',
    help: 'Jensen-Shannon distance of each column to the reference profile in the last closed window (drift at 0.1)',
    labelNames: ['kind', 'column'],
    registers,
  });
  const missing = new Gauge({
    name: 'ridestream_monitor_missing_share',
    help: 'Share of missing values of each column in the last closed window',
    labelNames: ['kind', 'column'],
    registers,
  });
  new Gauge({
    name: 'ridestream_monitor_pending_rides',
    help: 'Rides held waiting for a prediction or a truth (the state size)',
    registers,
    collect() {
      this.set(monitor.pendingRides());
    },
  });
  new Counter({
    name: 'ridestream_monitor_dropped_total',
    help: 'Observations not judged: late (window closed), duplicate, undecodable, truth without prediction',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      const j = monitor.joinCounters();
      this.inc({ reason: 'late' }, j.late);
      this.inc({ reason: 'duplicate' }, j.duplicates);
      this.inc({ reason: 'truth_without_prediction' }, j.truthWithoutPrediction);
      this.inc({ reason: 'undecodable' }, monitor.counters().undecodable);
    },
  });

  function record(records: readonly MonitorRecord[]): void {
    for (const r of records) {
      const v = r.value;
      if (v.type === 'accuracy' && Number.isFinite(v.rmse))
        windowRmse.set({ kind: v.kind, model: v.model.name, version: v.model.version, role: v.role }, v.rmse);
      if (v.type === 'drift')
        for (const c of v.columns) {
          if (Number.isFinite(c.jensenShannon)) drift.set({ kind: v.kind, column: c.column }, c.jensenShannon);
          missing.set({ kind: v.kind, column: c.column }, c.missing);
        }
    }
  }

  async function publishPending(): Promise<void> {
    if (unpublished.length === 0) return;
    const batch = unpublished;
    await publisher.send(
      batch.map((r) => ({ stream: config.METRICS_TOPIC, key: r.key, value: JSON.stringify(r.value) })),
    );
    unpublished = unpublished.slice(batch.length);
  }
  // One publication at a time: a batch and the idle timer may both have closed windows to send.
  let publishing: Promise<void> = Promise.resolve();
  const publishQueued = () => (publishing = publishing.catch(() => {}).then(publishPending));

  /** Takes the windows event time has passed into the queue, and publishes the queue. */
  function closeWindows(): Promise<void> {
    const closed = monitor.advance();
    if (closed.length) {
      record(closed);
      unpublished.push(...closed);
    }
    return publishQueued();
  }

  async function snapshot(): Promise<void> {
    // Taken synchronously between two awaits: the join, the queue and the offsets agree with each other.
    const state: StateFile = {
      version: 1,
      offsets: Object.fromEntries(next),
      monitor: monitor.snapshot(),
      unpublished,
    };
    await mkdir(config.STATE_DIR, { recursive: true });
    const tmp = `${statePath}.tmp`;
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, statePath);
    if (next.size === 0 || !joined) return;
    await consumer
      .commitOffsets(
        [...next].map(([tp, offset]) => {
          const at = tp.lastIndexOf(':');
          return { topic: tp.slice(0, at), partition: Number(tp.slice(at + 1)), offset };
        }),
      )
      .catch((err: unknown) => logger.warn({ err }, 'committing the snapshot offsets failed; the snapshot holds them'));
  }
  const snapshotOnce = () => (snapshotting ??= snapshot().finally(() => (snapshotting = undefined)));

  const ops = createOpsServer({ host: config.HTTP_HOST, port: config.HTTP_PORT, registry, isReady: () => joined });

  const stop = once(async () => {
    clearInterval(snapshotTimer);
    clearInterval(idleTimer);
    await runCleanups(
      [
        { name: 'stop consuming', run: () => consumer.stop() },
        { name: 'publish what closed', run: () => publishQueued() },
        { name: 'write the last snapshot', run: async () => (await snapshotting, snapshotOnce()) },
        { name: 'disconnect consumer', run: () => consumer.disconnect() },
        { name: 'flush and disconnect publisher', run: () => publisher.stop() },
        { name: 'close ops server', run: () => ops.stop() },
      ],
      logger,
    );
  });

  return {
    ops,
    registry,
    finished,
    monitor: () => monitor,
    stop,
    start: once(async () => {
      const profiles = {
        ...(config.DURATION_REFERENCE_PROFILE && {
          duration: parseReferenceProfile(JSON.parse(await readFile(config.DURATION_REFERENCE_PROFILE, 'utf8'))),
        }),
        ...(config.TIP_REFERENCE_PROFILE && {
          tip: parseReferenceProfile(JSON.parse(await readFile(config.TIP_REFERENCE_PROFILE, 'utf8'))),
        }),
      };
      const state = await readState(statePath);
      if (state) {
        monitor = createMonitor({ streams, join: windowing, profiles }, state.monitor);
        unpublished = [...state.unpublished];
        for (const [tp, offset] of Object.entries(state.offsets)) next.set(tp, offset);
        restored = new Map(Object.entries(state.offsets).map(([tp, offset]) => [tp, BigInt(offset)]));
        logger.info({ statePath, partitions: restored.size, pending: monitor.pendingRides() }, 'state restored');
      } else monitor = createMonitor({ streams, join: windowing, profiles });
      await ops.start();
      if (config.CREATE_TOPICS) await ensureTopics(kafka, [{ topic: config.METRICS_TOPIC }]);
      await publisher.start();
      await consumer.connect();
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) crashed(e.payload.error);
      });
      // Shadow topics come and go with challengers: the ones that exist now are watched (a restart picks up new ones).
      const admin = kafka.admin();
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      await admin.disconnect();
      const predictions = Object.values(streams.predictions);
      const topics = [
        streams.rides,
        ...predictions,
        ...predictions.map((t) => `${t}${streams.shadowSuffix}`).filter((t) => existing.has(t)),
      ];
      // Every partition of every watched topic holds event time back until it has spoken or gone quiet.
      const metadataAdmin = kafka.admin();
      await metadataAdmin.connect();
      const { topics: metadata } = await metadataAdmin.fetchTopicMetadata({ topics });
      await metadataAdmin.disconnect();
      const sources = metadata.flatMap((t) =>
        t.partitions.map((p) => ({ stream: t.name, source: String(p.partitionId) })),
      );
      monitor.expectSources(sources);
      const startedAt = Date.now();
      idleTimer = setInterval(() => {
        const now = Date.now();
        for (const s of sources)
          monitor.setIdle(
            s.stream,
            s.source,
            now - (lastActivity.get(`${s.stream}:${s.source}`) ?? startedAt) > config.SOURCE_IDLE_MS,
          );
        // A source that went idle may be all that held event time back; once the streams have ended no batch
        // comes to close the windows it released, so the timer closes them.
        void closeWindows().catch((err: unknown) => logger.warn({ err }, 'publishing closed windows failed; retried'));
      }, 1000);
      idleTimer.unref();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat }) => {
          const tp = `${batch.topic}:${batch.partition}`;
          if (batch.messages.length) lastActivity.set(tp, Date.now());
          const from = restored.get(tp);
          for (const m of batch.messages) {
            // Already in the restored state: the snapshot was written after these, the group commit before.
            if (from !== undefined && BigInt(m.offset) < from) continue;
            if (m.value) monitor.observe(batch.topic, m.value, String(batch.partition));
            next.set(tp, (BigInt(m.offset) + 1n).toString());
          }
          await closeWindows();
          await heartbeat();
        },
      });
      snapshotTimer = setInterval(() => {
        void snapshotOnce().catch((err: unknown) => logger.error({ err }, 'writing the monitor snapshot failed'));
      }, config.SNAPSHOT_INTERVAL_MS);
      snapshotTimer.unref();
      logger.info({ topics, metrics: config.METRICS_TOPIC, window: config.WINDOW_MS }, 'monitoring');
    }),
  };
}
