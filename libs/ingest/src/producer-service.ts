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
import Fastify from 'fastify';
import { registerRidesRoute } from './rides-route';

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
  const app = Fastify({ logger: false, bodyLimit: o.bodyLimitBytes });
  registerOpsRoutes(app, { registry, isReady: () => connected });
  registerRidesRoute(app, {
    topic: o.topic,
    publish: (m) => publisher.enqueue(m),
    maxRidesPerRequest: o.maxRidesPerRequest,
    logger,
    registry,
  });
  const http = listenable(app, { host: o.host, port: o.port });

  return {
    http,
    start: once(async () => {
      if (o.createTopics) await ensureTopics(kafka, [{ topic: o.topic }]);
      await publisher.start();
      connected = true;
      await http.start();
      logger.info({ port: http.port(), topic: o.topic }, 'accepting rides');
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
