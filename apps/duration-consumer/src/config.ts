import { kinesisServiceEnvSchema, type KinesisServiceEnv } from '@ridestream/kinesis';
import { loadEnvConfig, type Env } from '@ridestream/runtime';
import { consumerEnvSchema, type ConsumerEnv } from '@ridestream/stream-consumer';
import { z } from 'zod';

const defaults = {
  outputTopic: 'ride-duration-predictions',
  modelPath: 'models/duration/model.onnx',
  httpPort: 9101,
} as const;

/** duration-consumer on Kafka (the default): its group, output topic and model. */
export const kafkaConfigSchema = consumerEnvSchema({ group: 'duration-consumer', ...defaults });
/** duration-consumer on Kinesis: the same names, with streams, an application name and a lease table. */
export const kinesisConfigSchema = kinesisServiceEnvSchema({
  application: 'duration-consumer',
  outputStream: defaults.outputTopic,
  modelPath: defaults.modelPath,
  httpPort: defaults.httpPort,
});

export type Config =
  | { readonly transport: 'kafka'; readonly env: Readonly<ConsumerEnv> }
  | { readonly transport: 'kinesis'; readonly env: Readonly<KinesisServiceEnv> };

/** duration-consumer's whole configuration, the only place that reads the environment. `TRANSPORT` picks the schema. */
export function loadConfig(env: Env): Config {
  const { TRANSPORT } = loadEnvConfig(z.object({ TRANSPORT: z.enum(['kafka', 'kinesis']).default('kafka') }), env);
  return TRANSPORT === 'kinesis'
    ? { transport: 'kinesis', env: loadEnvConfig(kinesisConfigSchema, env) }
    : { transport: 'kafka', env: loadEnvConfig(kafkaConfigSchema, env) };
}
