import { envSchemas, serviceEnvSchema, type ConfigIssue } from '@ridestream/runtime';
import { scoringEnvSchema } from '@ridestream/stream-core';
import { z } from 'zod';
import { kafkaClientEnvSchema, kafkaEnvSchema } from './config';

export interface ConsumerDefaults {
  readonly group: string;
  readonly outputTopic: string;
  readonly modelPath: string;
  readonly httpPort: number;
}

/**
 * The environment of one consumer app on Kafka: Kafka connection + service basics + what this consumer reads, writes and
 * serves. Each app calls this with its own defaults (group, output topic, model) and owns the result.
 */
export function kafkaConsumerEnvSchema(d: ConsumerDefaults) {
  return kafkaEnvSchema
    .extend(kafkaClientEnvSchema.shape)
    .extend(serviceEnvSchema.shape)
    .extend(scoringEnvSchema(d.modelPath).shape)
    .extend({
      INPUT_TOPIC: z.string().min(1).default('rides').describe('topic of ride events'),
      OUTPUT_TOPIC: z.string().min(1).default(d.outputTopic).describe('topic the predictions go to'),
      /** Where a shadow (challenger) model's predictions go, with SHADOW_MODEL_URI; default `<OUTPUT_TOPIC>.shadow`. */
      SHADOW_OUTPUT_TOPIC: z
        .string()
        .min(1)
        .optional()
        .describe(
          "topic of the shadow model's predictions (with SHADOW_MODEL_URI); `<OUTPUT_TOPIC>.shadow` when unset",
        ),
      DEAD_LETTER_TOPIC: z
        .string()
        .min(1)
        .default('rides.dlq')
        .describe('topic of records that cannot be scored, with the reason in headers'),
      CONSUMER_GROUP: z
        .string()
        .min(1)
        .default(d.group)
        .describe('consumer group; instances of one app share its partitions'),
      /** How long the group waits for a silent instance before moving its partitions (broker minimum: 6 s). */
      SESSION_TIMEOUT_MS: envSchemas.positiveInt
        .min(6000)
        .max(300_000)
        .default(30_000)
        .describe('group session timeout: how long before a silent instance loses its partitions'),
      /**
       * Partitions whose batches are processed at once (kafkajs partitionsConsumedConcurrently). More than 1 lets this
       * thread publish and commit one partition's chunk while the scoring worker scores another's; order within a
       * partition is kept either way.
       */
      PARTITIONS_CONCURRENTLY: envSchemas.positiveInt
        .max(64)
        .default(3)
        .describe('partitions processed in parallel by one instance'),
      /**
       * Most bytes one fetch returns per partition. kafkajs decodes a whole fetch response in one synchronous step, so
       * this bounds the longest event-loop stall and the memory a fetch holds; too small and fetch round trips dominate.
       */
      FETCH_MAX_BYTES_PER_PARTITION: envSchemas.positiveInt
        .min(1024)
        .max(64 * 1024 * 1024)
        .default(256 * 1024)
        .describe('bytes per partition per fetch: bounds event-loop stalls and fetch memory'),
      /**
       * Kafka's fetch.min.bytes and fetch.max.wait.ms: the broker holds a fetch until this many bytes are there or the
       * wait is over. 1 byte answers at once (lowest latency at any rate, but at a light load every few records cost a
       * whole fetch, score, produce and commit cycle); more gathers a light stream into fewer cycles for up to the wait.
       */
      FETCH_MIN_BYTES: envSchemas.positiveInt
        .max(64 * 1024 * 1024)
        .default(1)
        .describe('fetch.min.bytes: the broker answers a fetch once this many bytes are there (or after the wait)'),
      FETCH_MAX_WAIT_MS: envSchemas.positiveInt
        .max(30_000)
        .default(5000)
        .describe('fetch.max.wait.ms: the longest the broker holds a fetch that has fewer bytes than FETCH_MIN_BYTES'),
      /** Create the input/output/DLQ topics at startup if missing (dev); off where topics are managed. */
      CREATE_TOPICS: envSchemas.flag
        .default(false)
        .describe('create the input, output and DLQ topics at startup when missing (dev)'),
      /** Kafka transactions: outputs and consumed offsets commit together; readers use read_committed. */
      EXACTLY_ONCE: envSchemas.flag
        .default(false)
        .describe('Kafka transactions: outputs and consumed offsets commit together'),
      HTTP_HOST: z.string().min(1).default('0.0.0.0').describe('address of `/healthz`, `/readyz`, `/metrics`'),
      HTTP_PORT: envSchemas.port.default(d.httpPort).describe('port of `/healthz`, `/readyz`, `/metrics`'),
    });
}
export type KafkaConsumerEnv = z.infer<ReturnType<typeof kafkaConsumerEnvSchema>>;

/**
 * What the schema alone cannot say: combinations of variables a consumer refuses at startup. Exactly-once on
 * @platformatic/kafka 1.35.0 still duplicated rides in the short chaos run after the stable-offset fix (11 of 3,000
 * duration predictions seen twice by a read_committed reader, CI of 2026-12-01 19:11 UTC): during the broker restart
 * its transactional calls gave up within seconds (`endTransaction failed 6 times (NOT_COORDINATOR)`), a transaction
 * whose EndTxn had reached the coordinator then completed anyway, and the chunk was scored again. The kafkajs runner
 * checks that case before it retries (consumer.ts); until the platformatic runner does too, kafkajs is the only
 * exactly-once client (README "Kafka clients").
 */
export function kafkaConsumerIssues(env: Pick<KafkaConsumerEnv, 'KAFKA_CLIENT' | 'EXACTLY_ONCE'>): ConfigIssue[] {
  if (env.KAFKA_CLIENT === 'platformatic' && env.EXACTLY_ONCE)
    return [
      {
        variable: 'EXACTLY_ONCE',
        message:
          'exactly-once is not available with KAFKA_CLIENT=platformatic (duplicates seen in the chaos run); use KAFKA_CLIENT=kafkajs',
      },
    ];
  return [];
}
