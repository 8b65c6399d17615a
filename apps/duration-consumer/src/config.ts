import { loadEnvConfig, type Env } from '@ridestream/runtime';
import { consumerEnvSchema, type ConsumerEnv } from '@ridestream/stream-consumer';

/** duration-consumer's whole configuration: the only place that reads the environment. */
export const configSchema = consumerEnvSchema({
  group: 'duration-consumer',
  outputTopic: 'ride-duration-predictions',
  modelPath: 'models/duration/model.onnx',
  httpPort: 9101,
});

export function loadConfig(env: Env): Readonly<ConsumerEnv> {
  return loadEnvConfig(configSchema, env);
}
