import { consumerConfigSchemas, loadConsumerConfig, type ConsumerConfig } from '@ridestream/consumer';
import type { Env } from '@ridestream/runtime';

/**
 * duration-consumer's whole configuration, the only place that reads the environment: the shared consumer schemas
 * (libs/consumer) with this app's defaults. `TRANSPORT` picks Kafka (default) or Kinesis.
 */
export const loadConfig = (env: Env): ConsumerConfig => loadConsumerConfig('duration', env);

/** This app's schemas per transport, as docs/DEPLOY.md documents them (`npm run contracts`). */
export const { kafka: kafkaConfigSchema, kinesis: kinesisConfigSchema } = consumerConfigSchemas('duration');
