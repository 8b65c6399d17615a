import { apiKeysEnvSchema } from '@ridestream/producer';
import { kinesisEnvSchema } from '@ridestream/kinesis';
import { kafkaEnvSchema } from '@ridestream/kafka';
import { envSchemas, loadEnvConfig, serviceEnvSchema, transportEnvSchema, type Env } from '@ridestream/runtime';
import { z } from 'zod';

/** The HTTP side, the same on every transport. */
const httpEnvSchema = serviceEnvSchema.extend({
  HTTP_HOST: z.string().min(1).default('0.0.0.0').describe('address of the API and the ops endpoints'),
  HTTP_PORT: envSchemas.port.default(8080).describe('port of `POST /rides`, `/healthz`, `/readyz`, `/metrics`'),
  /** Fastify answers 413 above this. 1 MiB holds ~3,000 rides. */
  BODY_LIMIT_BYTES: envSchemas.positiveInt.default(1024 * 1024).describe('larger request bodies get 413'),
  MAX_RIDES_PER_REQUEST: envSchemas.positiveInt.max(10_000).default(1000).describe('rides per `POST /rides`'),
  /** Comma-separated API keys (or PRODUCER_API_KEYS_FILE); POST /rides requires one when set. Redacted in logs. */
  PRODUCER_API_KEYS: apiKeysEnvSchema
    .optional()
    .describe('comma-separated API keys (16+ chars each); `POST /rides` requires one when set'),
  /** Requests per client IP per minute on POST /rides (429 above); unlimited when unset. */
  RATE_LIMIT_PER_MINUTE: envSchemas.positiveInt
    .optional()
    .describe('requests per client IP per minute on `POST /rides` (429 above); unlimited when unset'),
  /** Concurrent requests' rides go out in one publish call (libs/producer createCoalescingPublisher). */
  LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe(
      'how long the first request of a batch waits for others while a publish slot is free (0: none; a batch ' +
        'gathers anyway while the previous one is in flight)',
    ),
  PUBLISH_MAX_BATCH_RIDES: envSchemas.positiveInt
    .max(10_000)
    .default(1000)
    .describe('rides per publish call at most (a larger request goes alone, never split)'),
  PUBLISH_MAX_QUEUED_RIDES: envSchemas.positiveInt
    .default(20_000)
    .describe('rides waiting for a publish slot at most; requests beyond get 503 with `Retry-After`'),
});

/** Publish calls in flight at once: its own default per transport (`PUBLISH_MAX_IN_FLIGHT`). */
const maxInFlight = (defaultValue: number, why: string) =>
  envSchemas.positiveInt.max(64).default(defaultValue).describe(`publish calls in flight at once (${why})`);

/** The producer on Kafka (the default). */
export const kafkaConfigSchema = kafkaEnvSchema.extend(httpEnvSchema.shape).extend({
  RIDES_TOPIC: z.string().min(1).default('rides').describe('topic the ride events go to'),
  PUBLISH_MAX_IN_FLIGHT: maxInFlight(1, "kafkajs's idempotent producer sends one request per broker at a time"),
  COMPRESSION: z.enum(['none', 'gzip']).default('none').describe('compression of the produced batches'),
  CREATE_TOPICS: envSchemas.flag.default(false).describe('create `RIDES_TOPIC` at startup when missing (dev)'),
});
export type KafkaProducerEnv = z.infer<typeof kafkaConfigSchema>;

/** The producer on Kinesis (`TRANSPORT=kinesis`): each batch of requests is one or more PutRecords calls, keyed by ride id. */
export const kinesisConfigSchema = kinesisEnvSchema.extend(httpEnvSchema.shape).extend({
  RIDES_STREAM: z.string().min(1).default('rides').describe('stream the ride events go to (partition key = ride id)'),
  /** Create `RIDES_STREAM` at startup when missing (dev); off where infrastructure is managed. */
  CREATE_RESOURCES: envSchemas.flag.default(false).describe('create `RIDES_STREAM` at startup when missing (dev)'),
  PUBLISH_MAX_IN_FLIGHT: maxInFlight(4, 'PutRecords calls; each takes up to 500 records'),
});
export type KinesisProducerEnv = z.infer<typeof kinesisConfigSchema>;

export type Config =
  | { readonly transport: 'kafka'; readonly env: Readonly<KafkaProducerEnv> }
  | { readonly transport: 'kinesis'; readonly env: Readonly<KinesisProducerEnv> };

/** The producer's whole configuration, the only place that reads the environment. `TRANSPORT` picks the schema. */
export function loadConfig(env: Env): Config {
  const { TRANSPORT } = loadEnvConfig(transportEnvSchema, env);
  return TRANSPORT === 'kinesis'
    ? { transport: 'kinesis', env: loadEnvConfig(kinesisConfigSchema, env) }
    : { transport: 'kafka', env: loadEnvConfig(kafkaConfigSchema, env) };
}
