import { kafkaEnvSchema } from '@ridestream/kafka';
import { loadEnvConfig, serviceEnvSchema, type Env } from '@ridestream/runtime';

/** The subscribe CLI reads only the Kafka connection and log level from the environment; the rest are flags. */
export const configSchema = kafkaEnvSchema.extend({
  LOG_LEVEL: serviceEnvSchema.shape.LOG_LEVEL.default('warn').describe('pino log level'),
});

export function loadConfig(env: Env) {
  return loadEnvConfig(configSchema, env);
}
