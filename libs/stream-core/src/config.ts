import { envSchemas, retryEnvSchema, type RetrySettings } from '@ridestream/runtime';
import { z } from 'zod';

/**
 * How a chunk's predictions and dead letters are published again while the output stream refuses them: ~30 s of
 * trying (0.1, 0.2 ... 5 s), then the chunk fails uncommitted (Kafka re-reads the partition, Kinesis the shard from
 * its checkpoint, Lambda the batch). `PUBLISH_RETRIES`, `PUBLISH_RETRY_INITIAL_MS`, `PUBLISH_RETRY_MAX_MS`.
 */
export const DEFAULT_PUBLISH_RETRY: RetrySettings = { retries: 8, initialMs: 100, maxMs: 5_000 };

/**
 * What a scoring consumer reads about its model and its chunks, the same on every transport: each transport's
 * consumer schema merges it (`.extend(scoringEnvSchema(modelPath).shape)`).
 */
export function scoringEnvSchema(modelPath: string) {
  return z.object({
    MODEL_PATH: z
      .string()
      .min(1)
      .default(modelPath)
      .describe('model file relative to the working directory (`/app` in the image); `model.json` beside it'),
    /** Score in a worker thread, leaving the main thread to the transport (two cores at work, no event-loop stalls). */
    SCORING_WORKER: envSchemas.flag.default(true).describe('score in a worker thread (`false`: on the main thread)'),
    /** With the worker, chunks smaller than this are scored on the main thread (no thread hop; a second model
     * in memory). 0: all go to the worker. */
    SCORING_WORKER_MIN_RECORDS: z.coerce
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'with the worker, chunks under this many records are scored on the main thread (a second model in memory); 0: off',
      ),
    BATCH_SIZE: envSchemas.positiveInt.max(10_000).default(500).describe('records per model call'),
    ...retryEnvSchema('PUBLISH', DEFAULT_PUBLISH_RETRY).shape,
  });
}
