/**
 * producer: the backend's door to the stream. `POST /rides` validates ride events and publishes them keyed by ride
 * id to the `rides` topic (Kafka, the default) or stream (`TRANSPORT=kinesis`), answering 202 as soon as the
 * transport has them; it never waits for a prediction.
 */
import { createProducerService } from '@ridestream/producer';
import { createKafkaRidesPublisher, kafkaConnectionFromEnv } from '@ridestream/kafka';
import type { RidesPublisher } from '@ridestream/stream-core';
import { awsConnectionsFromEnv, createKinesisStreamPublisher } from '@ridestream/kinesis';
import { createLogger, exitOnStartupError, runService, type Logger } from '@ridestream/runtime';
import { loadConfig, type Config } from './config';

/** The transport's publisher; the service and its HTTP behaviour are the same on both. */
function ridesPublisher(config: Config, logger: Logger): RidesPublisher {
  if (config.transport === 'kinesis') {
    return createKinesisStreamPublisher({
      connection: awsConnectionsFromEnv(config.env).kinesis,
      stream: config.env.RIDES_STREAM,
      logger: logger.child({ component: 'kinesis-publisher' }),
    });
  }
  return createKafkaRidesPublisher({
    kafka: kafkaConnectionFromEnv(config.env, 'producer'),
    topic: config.env.RIDES_TOPIC,
    compression: config.env.COMPRESSION,
    logger,
  });
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { env } = config;
  const logger = createLogger({ name: 'producer', level: env.LOG_LEVEL });
  const service = createProducerService({
    publisher: ridesPublisher(config, logger),
    createResources: config.transport === 'kinesis' ? config.env.CREATE_RESOURCES : config.env.CREATE_TOPICS,
    host: env.HTTP_HOST,
    port: env.HTTP_PORT,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    maxRidesPerRequest: env.MAX_RIDES_PER_REQUEST,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    apiKeys: env.PRODUCER_API_KEYS,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    coalescing: {
      maxBatchRecords: env.PUBLISH_MAX_BATCH_RIDES,
      lingerMs: env.LINGER_MS,
      maxInFlight: env.PUBLISH_MAX_IN_FLIGHT,
      maxQueuedRecords: env.PUBLISH_MAX_QUEUED_RIDES,
      // Half the drain deadline for the rides still waiting; closing the server and the client take the rest.
      stopTimeoutMs: Math.floor(env.SHUTDOWN_TIMEOUT_MS / 2),
    },
    logger,
  });
  await runService(service, { logger, shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS });
}

main().catch(exitOnStartupError('producer'));
