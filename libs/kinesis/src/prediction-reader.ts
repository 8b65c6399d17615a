/**
 * The prediction subscriber on Kinesis (the counterpart of Kafka's `subscribePredictions`; `npm start`'s live view
 * uses it): every shard from its start (TRIM_HORIZON), without leases
 * or checkpoints, since the view only counts and shows. New shards (after a reshard) are found by listing again.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { predictionSchema, type Prediction } from '@ridestream/features';
import type { Lifecycle } from '@ridestream/runtime';
import { readKinesisUnleased } from './unleased-reader';

export interface KinesisPredictionReaderOptions {
  /** The caller's client; the reader never destroys it. */
  readonly client: KinesisClient;
  readonly stream: string;
  /** Each valid prediction; records that are not one are skipped. */
  readonly onPrediction: (prediction: Prediction) => void;
  /** A failure no retry can fix (the stream is gone); the shard's reader has stopped. */
  readonly onError: (err: unknown) => void;
  /** Pause after a GetRecords that returned nothing. */
  readonly idlePollMs?: number;
  /** How often the shard list is read again. */
  readonly shardSyncMs?: number;
}

function decode(data: Uint8Array): Prediction | undefined {
  try {
    const parsed = predictionSchema.safeParse(JSON.parse(Buffer.from(data).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `start()` fails when the stream does not exist; reading is `readKinesisUnleased` from TRIM_HORIZON (retries,
 * reshards, the per-shard call limit), and records that are not a valid prediction are skipped.
 *
 * @example
 * const reader = readKinesisPredictions({ client, stream: 'tip-predictions', onPrediction: show, onError: fail });
 * await reader.start();
 */
export function readKinesisPredictions(o: KinesisPredictionReaderOptions): Lifecycle {
  return readKinesisUnleased({
    client: o.client,
    streams: [o.stream],
    from: 'TRIM_HORIZON',
    onRecords: (_stream, values) => {
      for (const value of values) {
        const prediction = decode(value);
        if (prediction) o.onPrediction(prediction);
      }
    },
    onError: o.onError,
    idlePollMs: o.idlePollMs,
    shardSyncMs: o.shardSyncMs ?? 5_000,
  });
}
