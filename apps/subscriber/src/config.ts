import { kafkaEnvSchema } from '@ridestream/kafka';
import { loadEnvConfig, serviceEnvSchema, type Env } from '@ridestream/runtime';

/**
 * The subscribe CLI reads only the Kafka connection, its log level and its stop deadline from the environment; the
 * rest are flags.
 */
export const configSchema = kafkaEnvSchema.extend({
  LOG_LEVEL: serviceEnvSchema.shape.LOG_LEVEL.default('warn').describe('pino log level'),
  SHUTDOWN_TIMEOUT_MS: serviceEnvSchema.shape.SHUTDOWN_TIMEOUT_MS.default(10_000).describe(
    'deadline to leave the group after SIGINT, SIGTERM or SIGHUP (exit 1 if exceeded; a second signal exits at once)',
  ),
});

export function loadConfig(env: Env) {
  return loadEnvConfig(configSchema, env);
}
