import { createKafka, createPublisher, ensureTopics, type KafkaConnection } from '@ridestream/kafka';
import {
  createMetricsRegistry,
  createTracing,
  listenable,
  once,
  registerOpsRoutes,
  runCleanups,
  type Logger,
  type OpsServer,
  type Service,
} from '@ridestream/runtime';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { registerApiKeyAuth } from './auth';
import { registerRateLimit } from './rate-limit';
import { registerRidesRoute, type RidesRouteOptions } from './rides-route';

export interface ProducerServiceOptions {
  readonly kafka: KafkaConnection;
  readonly topic: string;
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly maxRidesPerRequest: number;
  readonly lingerMs: number;
  readonly compression: 'none' | 'gzip';
  readonly createTopics: boolean;
  readonly logger: Logger;
  /** OTLP/HTTP endpoint; tracing is off without it. */
  readonly otlpEndpoint?: string;
  /** When given, `POST /rides` requires one of these keys; probes and metrics stay open. */
  readonly apiKeys?: readonly string[];
  /** Requests per client IP per minute on `POST /rides`; unlimited when unset. */
  readonly rateLimitPerMinute?: number;
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
 * The producer's HTTP app without Kafka (tests inject a publish function). Probes and metrics sit at the root;
 * `POST /rides` sits in its own scope, where the rate limit (`onRequest`) and then the API key (`preParsing`,
 * before the body is read) apply. Fastify answers 413 over the body limit.
 */
export function createProducerApp(o: ProducerAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: o.bodyLimitBytes });
  registerOpsRoutes(app, { registry: o.registry, isReady: o.isReady });
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
 * The producer: an HTTP front door that validates rides and publishes them to Kafka, plus probes and metrics.
 * `stop()` stops accepting (closing the server drains in-flight requests), flushes the publisher, disconnects.
 */
export function createProducerService(o: ProducerServiceOptions): ProducerService {
  const logger = o.logger.child({ component: 'producer' });
  const registry = createMetricsRegistry({ service: 'producer' });
  const kafka = createKafka(o.kafka, logger);
  const publisher = createPublisher(kafka, {
    logger,
    lingerMs: o.lingerMs,
    compression: o.compression,
    idempotent: true,
  });
  const tracing = createTracing({ serviceName: 'producer', otlpEndpoint: o.otlpEndpoint });
  let connected = false;
  // Fastify answers 413 over the body limit and 415 for a content type it has no parser for.
  const app = createProducerApp({
    bodyLimitBytes: o.bodyLimitBytes,
    registry,
    isReady: () => connected,
    apiKeys: o.apiKeys,
    rateLimitPerMinute: o.rateLimitPerMinute,
    rides: {
      topic: o.topic,
      publish: (m) => publisher.enqueue(m),
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
      if (o.createTopics) await ensureTopics(kafka, [{ topic: o.topic }]);
      await publisher.start();
      connected = true;
      await http.start();
      logger.info(
        {
          port: http.port(),
          topic: o.topic,
          auth: o.apiKeys?.length ? `${o.apiKeys.length} API key(s)` : 'off',
          rateLimitPerMinute: o.rateLimitPerMinute ?? 'off',
        },
        'accepting rides',
      );
    }),
    stop: once(async () => {
      connected = false;
      await runCleanups(
        [
          { name: 'stop accepting and drain requests', run: () => http.stop() },
          { name: 'flush and disconnect publisher', run: () => publisher.stop() },
          { name: 'flush traces', run: () => tracing.shutdown() },
        ],
        logger,
      );
    }),
  };
}
