import { envSchemas, loadEnvConfig, serviceEnvSchema, type Env } from '@ridestream/runtime';
import { z } from 'zod';

/** prediction-api's whole configuration: the only place that reads the environment. No Kafka: request/response. */
export const configSchema = serviceEnvSchema.extend({
  HTTP_HOST: z.string().min(1).default('0.0.0.0').describe('address of the API and the ops endpoints'),
  HTTP_PORT: envSchemas.port.default(8090).describe('port of `POST /predict`, `/healthz`, `/readyz`, `/metrics`'),
  DURATION_MODEL_PATH: z
    .string()
    .min(1)
    .default('models/duration/model.onnx')
    .describe('duration model, relative to the working directory; `model.json` beside it'),
  TIP_MODEL_PATH: z
    .string()
    .min(1)
    .default('models/tip/model.onnx')
    .describe('tip model, relative to the working directory; `model.json` beside it'),
  BODY_LIMIT_BYTES: envSchemas.positiveInt.default(256 * 1024).describe('larger request bodies get 413'),
  MAX_RIDES_PER_REQUEST: envSchemas.positiveInt.max(5000).default(500).describe('rides per `POST /predict`'),
});
export type PredictionApiConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Env): Readonly<PredictionApiConfig> {
  return loadEnvConfig(configSchema, env);
}
