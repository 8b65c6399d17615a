import { kinesisEnvSchema } from '@ridestream/kinesis';
import { envSchemas, loadEnvConfig, type Env } from '@ridestream/runtime';
import { z } from 'zod';

/**
 * consumer-lambda's environment: which model it runs (`PREDICTION_KIND`), where predictions and dead letters go,
 * the AWS connection, and the Runtime API address that Lambda (or the runtime interface emulator) sets.
 */
export const configSchema = kinesisEnvSchema.extend({
  PREDICTION_KIND: z.enum(['duration', 'tip']),
  MODEL_PATH: z.string().min(1),
  OUTPUT_STREAM: z.string().min(1),
  DEAD_LETTER_STREAM: z.string().min(1),
  FUNCTION_NAME: z.string().min(1).default('ridestream-consumer'),
  AWS_LAMBDA_RUNTIME_API: z.string().min(1),
  LOG_LEVEL: envSchemas.logLevel.default('info'),
});
export type Config = z.infer<typeof configSchema>;

/** The only place consumer-lambda reads the environment; every bad variable is reported at once, by name. */
export const loadConfig = (env: Env): Readonly<Config> => loadEnvConfig(configSchema, env);
