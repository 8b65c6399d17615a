import { producerOpenApi } from '@ridestream/contracts';
import { listenable, registerOpsRoutes, type OpsServer } from '@ridestream/ops-http';
import {
  createMetricsRegistry,
  createTracing,
  once,
  runCleanups,
  type Logger,
  type Service,
} from '@ridestream/runtime';
import Fastify, { type FastifyInstance } from 'fastify';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { registerApiKeyAuth } from './auth';
import type { RidesPublisher } from '@ridestream/stream-core';
import { createCoalescingPublisher, type CoalescingOptions } from './coalescing-publisher';
import { registerRateLimit } from './rate-limit';
import { registerRidesRoute, type RidesRouteOptions } from './rides-route';

/** What the producer's HTTP side needs, whatever the transport. */
export interface ProducerHttpOptions {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly maxRidesPerRequest: number;
  readonly logger: Logger;
  /** OTLP/HTTP endpoint; tracing is off without it. */
  readonly otlpEndpoint?: string;
  /** When given, `POST /rides` requires one of these keys; probes and metrics stay open. */
  readonly apiKeys?: readonly string[];
  /** Requests per client IP per minute on `POST /rides`; unlimited when unset. */
  readonly rateLimitPerMinute?: number;
}

/**
 * Defaults of the request coalescing: batches of up to 1,000 rides (~300 KB, under the broker's 1 MiB per partition
 * batch), no linger (a batch gathers while the previous one is in flight), one batch in flight (kafkajs's idempotent
 * producer sends one produce request per broker at a time anyway), 20,000 rides waiting at most.
 */
export const DEFAULT_COALESCING: CoalescingOptions = {
  maxBatchRecords: 1000,
  lingerMs: 0,
  maxInFlight: 1,
  maxQueuedRecords: 20_000,
  stopTimeoutMs: 10_000,
};

/** The producer on a publisher the app built for its transport (`createKafkaRidesPublisher`, Kinesis, ...). */
export interface ProducerServiceOptions extends ProducerHttpOptions {
  readonly publisher: RidesPublisher;
  /** How concurrent requests are gathered into one publish call (`createCoalescingPublisher`). */
  readonly coalescing?: CoalescingOptions;
  /** Call `publisher.prepare()` first: create the topic or stream when missing (dev). */
  readonly createResources?: boolean;
}

export interface ProducerAppOptions {
  readonly bodyLimitBytes: number;
  readonly registry: Registry;
  readonly isReady: () => boolean;
  readonly rides: RidesRouteOptions;
  readonly apiKeys?: readonly string[];
  readonly rateLimitPerMinute?: number;
}

/**
 * The producer's HTTP app without a transport (tests inject a publish function). Probes, metrics and the OpenAPI
 * document sit at the root;
 * `POST /rides` sits in its own scope, where the rate limit (`onRequest`) and then the API key (`preParsing`,
 * before the body is read) apply. Fastify answers 413 over the body limit.
 */
export function createProducerApp(o: ProducerAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: o.bodyLimitBytes });
  registerOpsRoutes(app, { registry: o.registry, isReady: o.isReady });
  // The contract a client generates from, open like the probes (docs/contracts/producer.openapi.json).
  const openApi = producerOpenApi();
  app.get('/openapi.json', async () => openApi);
  void app.register(async (api) => {
    if (o.rateLimitPerMinute !== undefined) await registerRateLimit(api, { perMinute: o.rateLimitPerMinute });
    if (o.apiKeys?.length) registerApiKeyAuth(api, { keys: o.apiKeys });
    registerRidesRoute(api, o.rides);
  });
  return app;
}

export interface ProducerService extends Service {
  readonly http: OpsServer;
}

/**
 * The producer: an HTTP front door that validates rides and publishes them through `publisher`, concurrent requests
 * gathered into one publish call (`createCoalescingPublisher`), plus probes and metrics. Ready once the publisher
 * has started. `stop()` stops accepting (closing the server drains in-flight requests), then stops the publisher
 * (what waits is sent, then flush, disconnect), then flushes traces.
 *
 * @example
 * const service = createProducerService({ publisher, createResources: false, host: '0.0.0.0', port: 8080,
 *   bodyLimitBytes: 1 << 20, maxRidesPerRequest: 1000, logger });
 * await runService(service, { logger, shutdownTimeoutMs: 25_000 });
 */
export function createProducerService(o: ProducerServiceOptions): ProducerService {
  const logger = o.logger.child({ component: 'producer' });
  const registry = createMetricsRegistry({ service: 'producer' });
  const batchRides = new Histogram({
    name: 'ridestream_publish_batch_rides',
    help: 'Rides per publish call (concurrent requests gathered)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  // Per publish call, not per request: one observation per batch keeps the per-request work down.
  const publishSeconds = new Histogram({
    name: 'ridestream_publish_seconds',
    help: 'Time from a publish call (one batch of requests) to the transport acknowledging it',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const publisher = createCoalescingPublisher(o.publisher, {
    ...(o.coalescing ?? DEFAULT_COALESCING),
    logger,
    onBatch: (b) => {
      batchRides.observe(b.records);
      publishSeconds.observe({ outcome: b.ok ? 'ok' : 'failed' }, b.seconds);
    },
  });
  new Gauge({
    name: 'ridestream_publish_queued_rides',
    help: 'Rides waiting for a publish slot',
    registers: [registry],
    collect() {
      this.set(publisher.queuedRecords());
    },
  });
  const tracing = createTracing({ serviceName: 'producer', otlpEndpoint: o.otlpEndpoint });
  let ready = false;
  // Fastify answers 413 over the body limit and 415 for a content type it has no parser for.
  const app = createProducerApp({
    bodyLimitBytes: o.bodyLimitBytes,
    registry,
    isReady: () => ready,
    apiKeys: o.apiKeys,
    rateLimitPerMinute: o.rateLimitPerMinute,
    rides: {
      topic: publisher.destination,
      publish: (m) => publisher.publish(m),
      maxRidesPerRequest: o.maxRidesPerRequest,
      logger,
      registry,
      tracer: tracing.tracer,
    },
  });
  const http = listenable(app, { host: o.host, port: o.port });

  return {
    http,
    start: once(async () => {
      if (o.createResources) await publisher.prepare?.();
      await publisher.start();
      ready = true;
      await http.start();
      logger.info(
        {
          port: http.port(),
          transport: publisher.transport,
          destination: publisher.destination,
          auth: o.apiKeys?.length ? `${o.apiKeys.length} API key(s)` : 'off',
          rateLimitPerMinute: o.rateLimitPerMinute ?? 'off',
        },
        'accepting rides',
      );
    }),
    stop: once(async () => {
      ready = false;
      await runCleanups(
        [
          { name: 'stop accepting and drain requests', run: () => http.stop() },
          { name: 'stop publisher (send what waits, flush, disconnect)', run: () => publisher.stop() },
          { name: 'flush traces', run: () => tracing.shutdown() },
        ],
        logger,
      );
    }),
  };
}
