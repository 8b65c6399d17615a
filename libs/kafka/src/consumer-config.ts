import { envSchemas, kafkaEnvSchema, serviceEnvSchema } from '@ridestream/runtime';
import { z } from 'zod';

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
  return kafkaEnvSchema.extend(serviceEnvSchema.shape).extend({
    INPUT_TOPIC: z.string().min(1).default('rides'),
    OUTPUT_TOPIC: z.string().min(1).default(d.outputTopic),
    /** Where a shadow (challenger) model's predictions go, with SHADOW_MODEL_URI; default `<OUTPUT_TOPIC>.shadow`. */
    SHADOW_OUTPUT_TOPIC: z.string().min(1).optional(),
    DEAD_LETTER_TOPIC: z.string().min(1).default('rides.dlq'),
    CONSUMER_GROUP: z.string().min(1).default(d.group),
    MODEL_PATH: z.string().min(1).default(d.modelPath),
    /** Score in a worker thread, leaving the main thread to Kafka (two cores at work, no event-loop stalls). */
    SCORING_WORKER: envSchemas.flag.default(true),
    /** With the worker, chunks smaller than this are scored on the main thread (no thread hop; a second model
     * in memory). 0: all go to the worker. */
    SCORING_WORKER_MIN_RECORDS: z.coerce.number().int().min(0).default(0),
    /** Records per model call. */
    BATCH_SIZE: envSchemas.positiveInt.max(10_000).default(500),
    /** How long the group waits for a silent instance before moving its partitions (broker minimum: 6 s). */
    SESSION_TIMEOUT_MS: envSchemas.positiveInt.min(6000).max(300_000).default(30_000),
    /**
     * Partitions whose batches are processed at once (kafkajs partitionsConsumedConcurrently). More than 1 lets this
     * thread publish and commit one partition's chunk while the scoring worker scores another's; order within a
     * partition is kept either way.
     */
    PARTITIONS_CONCURRENTLY: envSchemas.positiveInt.max(64).default(3),
    /**
     * Most bytes one fetch returns per partition. kafkajs decodes a whole fetch response in one synchronous step, so
     * this bounds the longest event-loop stall and the memory a fetch holds; too small and fetch round trips dominate.
     */
    FETCH_MAX_BYTES_PER_PARTITION: envSchemas.positiveInt
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(256 * 1024),
    /** Create the input/output/DLQ topics at startup if missing (dev); off where topics are managed. */
    CREATE_TOPICS: envSchemas.flag.default(false),
    /** Kafka transactions: outputs and consumed offsets commit together; readers use read_committed. */
    EXACTLY_ONCE: envSchemas.flag.default(false),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: envSchemas.port.default(d.httpPort),
  });
}
export type KafkaConsumerEnv = z.infer<ReturnType<typeof kafkaConsumerEnvSchema>>;
