import type { PredictionKind } from '@ridestream/features';
import { kafkaConsumerEnvSchema, kafkaConsumerIssues, type KafkaConsumerEnv } from '@ridestream/kafka';
import { kinesisServiceEnvSchema, type KinesisServiceEnv } from '@ridestream/kinesis';
import { modelSourceEnvSchema, modelSourceIssues, type ModelSourceEnv } from '@ridestream/model';
import { ConfigError, loadEnvConfig, transportEnvSchema, type Env } from '@ridestream/runtime';

/** What differs between the consumer apps: the name (group / application), output, model and ops port. */
export const CONSUMERS = {
  duration: {
    name: 'duration-consumer',
    output: 'ride-duration-predictions',
    modelPath: 'models/duration/model.onnx',
    httpPort: 9101,
  },
  tip: { name: 'tip-consumer', output: 'tip-predictions', modelPath: 'models/tip/model.onnx', httpPort: 9102 },
} as const satisfies Record<PredictionKind, { name: string; output: string; modelPath: string; httpPort: number }>;

/** The two schemas of one consumer app: on Kafka (the default) and on Kinesis, with the same names and defaults. */
export function consumerConfigSchemas(kind: PredictionKind) {
  const d = CONSUMERS[kind];
  return {
    kafka: kafkaConsumerEnvSchema({
      group: d.name,
      outputTopic: d.output,
      modelPath: d.modelPath,
      httpPort: d.httpPort,
    }).extend(modelSourceEnvSchema.shape),
    kinesis: kinesisServiceEnvSchema({
      application: d.name,
      outputStream: d.output,
      modelPath: d.modelPath,
      httpPort: d.httpPort,
    }).extend(modelSourceEnvSchema.shape),
  };
}

export type ConsumerConfig =
  | { readonly transport: 'kafka'; readonly env: Readonly<KafkaConsumerEnv & ModelSourceEnv> }
  | { readonly transport: 'kinesis'; readonly env: Readonly<KinesisServiceEnv & ModelSourceEnv> };

/**
 * A consumer app's whole configuration, read once from `env`. `TRANSPORT` (kafka | kinesis) picks the schema; every
 * bad variable is reported at once, by name.
 *
 * @example
 * const config = loadConsumerConfig('tip', process.env);
 */
export function loadConsumerConfig(kind: PredictionKind, env: Env): ConsumerConfig {
  const { TRANSPORT } = loadEnvConfig(transportEnvSchema, env);
  const schemas = consumerConfigSchemas(kind);
  const config: ConsumerConfig =
    TRANSPORT === 'kinesis'
      ? { transport: 'kinesis', env: loadEnvConfig(schemas.kinesis, env) }
      : { transport: 'kafka', env: loadEnvConfig(schemas.kafka, env) };
  const issues = [
    ...modelSourceIssues(config.env),
    ...(config.transport === 'kafka' ? kafkaConsumerIssues(config.env) : []),
  ];
  if (issues.length) throw new ConfigError(issues);
  return config;
}
