import { kinesisEnvSchema } from '@ridestream/kinesis';
import { envSchemas, loadEnvConfig, type Env } from '@ridestream/runtime';
import { z } from 'zod';

/**
 * consumer-lambda's environment: which model it runs (`PREDICTION_KIND`), where predictions and dead letters go,
 * the AWS connection, and the Runtime API address that Lambda (or the runtime interface emulator) sets.
 */
export const configSchema = kinesisEnvSchema.extend({
  PREDICTION_KIND: z.enum(['duration', 'tip']).describe('which model this function runs'),
  MODEL_PATH: z.string().min(1).describe('model file (`model.json` beside it)'),
  OUTPUT_STREAM: z.string().min(1).describe('stream the predictions go to'),
  DEAD_LETTER_STREAM: z.string().min(1).describe('stream of records that cannot be scored, with the reason'),
  FUNCTION_NAME: z.string().min(1).default('ridestream-consumer').describe('name in logs and dead-letter headers'),
  AWS_LAMBDA_RUNTIME_API: z.string().min(1).describe('set by Lambda (or the runtime interface emulator)'),
  LOG_LEVEL: envSchemas.logLevel.default('info').describe('pino log level'),
});
export type Config = z.infer<typeof configSchema>;

/** The only place consumer-lambda reads the environment; every bad variable is reported at once, by name. */
export const loadConfig = (env: Env): Readonly<Config> => loadEnvConfig(configSchema, env);
