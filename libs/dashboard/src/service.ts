/**
 * The dashboard service: a stream tap (Kafka or Kinesis, chosen by the app) and a scraper feed the aggregator;
 * every tick its frame goes to the connected pages over server-sent events.
 */
import { listenable, type OpsServer } from '@ridestream/ops-http';
import {
  createMetricsRegistry,
  once,
  runCleanups,
  type Logger,
  type Registry,
  type Service,
} from '@ridestream/runtime';
import Fastify from 'fastify';
import { Counter, Gauge } from 'prom-client';
import { createAggregator, type Aggregator, type ScrapeTarget } from './aggregator';
import { readDeadLetter, readMonitorRecord, readPrediction } from './decode';
import { startScraper } from './scraper';
import { createFrameHub, registerDashboardRoutes } from './server';
import type { StreamTap, TapOptions } from './taps';

export interface DashboardServiceOptions {
  /** Builds the transport's reader around the handlers the service gives it. */
  readonly openTap: (handlers: Pick<TapOptions, 'onRecords' | 'onError'>) => StreamTap;
  /** Shown in the page's header: `Kafka 127.0.0.1:9092`. */
  readonly transport: string;
  readonly targets: readonly ScrapeTarget[];
  readonly host: string;
  readonly port: number;
  readonly tickMs: number;
  readonly scrapeMs: number;
  readonly historyFrames: number;
  /** The monitor's metrics stream the tap reads (its `streams.metrics`); none = the page says "no monitor". */
  readonly monitorSource?: string;
  readonly logger: Logger;
}

export interface DashboardService extends Service {
  readonly http: OpsServer;
  readonly registry: Registry;
  readonly aggregator: Aggregator;
}

/**
 * @example
 * const service = createDashboardService({ openTap: (h) => openKafkaTap({ ...h, connection, ... }), ... });
 * await runService(service, { logger });
 */
export function createDashboardService(o: DashboardServiceOptions): DashboardService {
  const logger = o.logger.child({ component: 'dashboard' });
  const registry = createMetricsRegistry({ service: 'dashboard' });
  const records = new Counter({
    name: 'ridestream_dashboard_records_total',
    help: 'Records read from the streams, by stream role',
    labelNames: ['role'],
    registers: [registry],
  });
  const hub = createFrameHub();
  new Gauge({
    name: 'ridestream_dashboard_pages',
    help: 'Pages connected to the event stream',
    registers: [registry],
    collect() {
      this.set(hub.size);
    },
  });
  const aggregator = createAggregator({
    targets: o.targets,
    historyFrames: o.historyFrames,
    latestRows: 20,
    ...(o.monitorSource ? { monitorSource: o.monitorSource } : {}),
  });
  let failed: (err: unknown) => void = () => {};
  const finished = new Promise<void>((_, reject) => (failed = reject));
  finished.catch(() => {});

  const tap = o.openTap({
    onRecords: (role, batch) => {
      records.inc({ role }, batch.length);
      if (role === 'rides') return aggregator.rides(batch.length);
      for (const r of batch) {
        if (role === 'deadLetters') aggregator.deadLetter(readDeadLetter(r.value, r.headers));
        else if (role === 'metrics') {
          const m = readMonitorRecord(r.value);
          if (m) aggregator.monitorRecord(m);
        } else {
          const p = readPrediction(r.value);
          if (p) aggregator.prediction(p);
        }
      }
    },
    onError: (err) => {
      logger.error({ err }, 'reading the streams failed');
      failed(err);
    },
  });
  const scraper = startScraper({
    targets: o.targets,
    intervalMs: o.scrapeMs,
    timeoutMs: Math.max(500, Math.min(o.scrapeMs, 5_000)),
    onScrape: (t, r) => aggregator.scraped(t, r),
  });
  let started = false;
  const app = Fastify({ logger: false });
  registerDashboardRoutes(app, {
    hub,
    snapshot: () => aggregator.snapshot(o.transport),
    registry,
    isReady: () => started,
  });
  const http = listenable(app, { host: o.host, port: o.port });
  let timer: NodeJS.Timeout | undefined;

  const stop = once(async () => {
    clearInterval(timer);
    await runCleanups(
      [
        { name: 'stop scraping', run: () => scraper.stop() },
        { name: 'stop reading streams', run: () => tap.stop() },
        { name: 'close http server', run: () => http.stop() },
      ],
      logger,
    );
  });

  return {
    http,
    registry,
    aggregator,
    finished,
    start: once(async () => {
      await http.start();
      await tap.start();
      await scraper.start();
      timer = setInterval(() => hub.publish(aggregator.tick(Date.now())), o.tickMs);
      started = true;
      logger.info({ port: http.port(), transport: o.transport, targets: o.targets.length }, 'dashboard ready');
    }),
    stop,
  };
}
