import { apiKeysEnvSchema } from '@ridestream/ingest';
import { envSchemas, kafkaEnvSchema, loadEnvConfig, serviceEnvSchema, type Env } from '@ridestream/runtime';
import { z } from 'zod';

/** The producer's whole configuration: the only place that reads the environment. */
export const configSchema = kafkaEnvSchema.extend(serviceEnvSchema.shape).extend({
  RIDES_TOPIC: z.string().min(1).default('rides'),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_PORT: envSchemas.port.default(8080),
  /** Fastify answers 413 above this. 1 MiB holds ~3,000 rides. */
  BODY_LIMIT_BYTES: envSchemas.positiveInt.default(1024 * 1024),
  MAX_RIDES_PER_REQUEST: envSchemas.positiveInt.max(10_000).default(1000),
  /** How long the publisher waits to batch concurrent requests into one broker request. */
  LINGER_MS: z.coerce.number().int().min(0).max(1000).default(5),
  COMPRESSION: z.enum(['none', 'gzip']).default('none'),
  CREATE_TOPICS: envSchemas.flag.default(false),
  /** Comma-separated API keys (or PRODUCER_API_KEYS_FILE); POST /rides requires one when set. Redacted in logs. */
  PRODUCER_API_KEYS: apiKeysEnvSchema.optional(),
  /** Requests per client IP per minute on POST /rides (429 above); unlimited when unset. */
  RATE_LIMIT_PER_MINUTE: envSchemas.positiveInt.optional(),
});
export type ProducerConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Env): Readonly<ProducerConfig> {
  return loadEnvConfig(configSchema, env);
}
