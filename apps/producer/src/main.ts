/**
 * producer: the backend's door to the stream. `POST /rides` validates ride events and publishes them to the
 * `rides` topic keyed by ride id, answering 202 as soon as the broker has them; it never waits for a prediction.
 */
import { createProducerService } from '@ridestream/ingest';
import { kafkaConnectionFromEnv } from '@ridestream/kafka';
import { createLogger, exitOnStartupError, runService } from '@ridestream/runtime';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'producer', level: config.LOG_LEVEL });
  const service = createProducerService({
    kafka: kafkaConnectionFromEnv(config, 'producer'),
    topic: config.RIDES_TOPIC,
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    maxRidesPerRequest: config.MAX_RIDES_PER_REQUEST,
    lingerMs: config.LINGER_MS,
    compression: config.COMPRESSION,
    createTopics: config.CREATE_TOPICS,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    apiKeys: config.PRODUCER_API_KEYS,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    logger,
  });
  await runService(service, { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
}

main().catch(exitOnStartupError('producer'));
