import { loadEnvConfig, type Env } from '@ridestream/runtime';
import { consumerEnvSchema, type ConsumerEnv } from '@ridestream/stream-consumer';

/** tip-consumer's whole configuration: the only place that reads the environment. */
export const configSchema = consumerEnvSchema({
  group: 'tip-consumer',
  outputTopic: 'tip-predictions',
  modelPath: 'models/tip/model.onnx',
  httpPort: 9102,
});

export function loadConfig(env: Env): Readonly<ConsumerEnv> {
  return loadEnvConfig(configSchema, env);
}
