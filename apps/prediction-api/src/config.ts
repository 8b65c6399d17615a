import { envSchemas, loadEnvConfig, serviceEnvSchema, type Env } from '@ridestream/runtime';
import { z } from 'zod';

/** prediction-api's whole configuration: the only place that reads the environment. No Kafka: request/response. */
export const configSchema = serviceEnvSchema.extend({
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_PORT: envSchemas.port.default(8090),
  DURATION_MODEL_PATH: z.string().min(1).default('models/duration/model.onnx'),
  TIP_MODEL_PATH: z.string().min(1).default('models/tip/model.onnx'),
  BODY_LIMIT_BYTES: envSchemas.positiveInt.default(256 * 1024),
  MAX_RIDES_PER_REQUEST: envSchemas.positiveInt.max(5000).default(500),
});
export type PredictionApiConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Env): Readonly<PredictionApiConfig> {
  return loadEnvConfig(configSchema, env);
}
