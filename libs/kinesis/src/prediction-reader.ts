/**
 * The prediction subscriber on Kinesis (the counterpart of Kafka's `subscribePredictions`; `npm start`'s live view
 * uses it): every shard from its start (TRIM_HORIZON), without leases
 * or checkpoints, since the view only counts and shows. New shards (after a reshard) are found by listing again.
 */
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { predictionSchema, type Prediction } from '@ridestream/features';
import { awsErrorName, classifyAwsError } from './errors';
import { MIN_GET_RECORDS_INTERVAL_MS, pause } from './shard-reader';
import { listAllShards } from './streams';
import { backoffMs, isRetriable, once, type Lifecycle } from '@ridestream/runtime';

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

function decode(data: Uint8Array | undefined): Prediction | undefined {
  try {
    const parsed = predictionSchema.safeParse(JSON.parse(Buffer.from(data ?? []).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `start()` fails when the stream does not exist; then one loop per shard calls GetRecords (no more than 5 per
 * second, the per-shard limit), and after a throttle, a network error or an expired iterator starts again just
 * after the last record it handed over. `stop()` aborts calls in flight and waits for the loops.
 *
 * @example
 * const reader = readKinesisPredictions({ client, stream: 'tip-predictions', onPrediction: show, onError: fail });
 * await reader.start();
 */
export function readKinesisPredictions(o: KinesisPredictionReaderOptions): Lifecycle {
  const abort = new AbortController();
  const { signal } = abort;
  const reading = new Set<string>();
  const loops: Promise<void>[] = [];

  const readShard = async (shardId: string): Promise<void> => {
    let after: string | undefined;
    let iterator: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        iterator ??= (
          await o.client.send(
            new GetShardIteratorCommand({
              StreamName: o.stream,
              ShardId: shardId,
              ...(after
                ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
                : { ShardIteratorType: 'TRIM_HORIZON' }),
            }),
            { abortSignal: signal },
          )
        ).ShardIterator;
        const out = await o.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }), {
          abortSignal: signal,
        });
        failures = 0;
        for (const r of out.Records ?? []) {
          const prediction = decode(r.Data);
          if (prediction) o.onPrediction(prediction);
          after = r.SequenceNumber;
        }
        // A closed shard read to its end: its children carry on.
        if (!out.NextShardIterator) return;
        iterator = out.NextShardIterator;
        await pause(out.Records?.length ? MIN_GET_RECORDS_INTERVAL_MS : (o.idlePollMs ?? 500), signal);
      } catch (err) {
        if (signal.aborted) return;
        iterator = undefined;
        if (awsErrorName(err) !== 'ExpiredIteratorException' && !isRetriable(err, classifyAwsError))
          return o.onError(err);
        await pause(backoffMs(++failures, { initialMs: 200, maxMs: 5_000 }), signal);
      }
    }
  };

  const syncShards = async (): Promise<void> => {
    for (const shard of await listAllShards(o.client, o.stream)) {
      const id = shard.ShardId!;
      if (reading.has(id)) continue;
      reading.add(id);
      loops.push(readShard(id));
    }
  };

  return {
    start: once(async () => {
      await syncShards();
      loops.push(
        (async () => {
          while (!signal.aborted) {
            await pause(o.shardSyncMs ?? 5_000, signal);
            if (signal.aborted) return;
            try {
              await syncShards();
            } catch (err) {
              if (!signal.aborted && !isRetriable(err, classifyAwsError)) return o.onError(err);
            }
          }
        })(),
      );
    }),
    stop: once(async () => {
      abort.abort();
      // `loops` grows while shards are found; after the abort it no longer does.
      await Promise.all(loops);
    }),
  };
}
