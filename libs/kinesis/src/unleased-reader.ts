/**
 * Reads every shard of some streams without leases or checkpoints, for readers that only count and show (the
 * prediction reader of `npm start`'s live view, the dashboard's tap): each instance sees every record, nothing is
 * recorded about how far it got. Shards that appear later (a reshard) are found by listing again.
 */
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { backoffMs, isRetriable, once, type Lifecycle, type RetrySettings } from '@ridestream/runtime';
import { awsErrorName, classifyAwsError } from './errors';
import { MIN_GET_RECORDS_INTERVAL_MS, pause } from './shard-reader';
import { listAllShards } from './streams';

export interface UnleasedReaderOptions {
  /** The caller's client; the reader never destroys it. */
  readonly client: KinesisClient;
  readonly streams: readonly string[];
  /** Where a shard is first read: its oldest record (TRIM_HORIZON) or what arrives from now on (LATEST). */
  readonly from: 'TRIM_HORIZON' | 'LATEST';
  /** One GetRecords page of a shard of `stream`, never empty, in the shard's order. */
  readonly onRecords: (stream: string, values: readonly Uint8Array[]) => void;
  /** A failure no retry can fix (a stream is gone); that shard's or that stream's reading has stopped. */
  readonly onError: (err: unknown) => void;
  /** Pause after a GetRecords that returned nothing. */
  readonly idlePollMs?: number;
  /** How often each stream's shard list is read again. */
  readonly shardSyncMs?: number;
  /**
   * The backoff after a failed read, growing with the failures in a row. A tail reader only shows, so it is never
   * bounded: it keeps trying until `stop()`. Default `UNLEASED_READ_BACKOFF`.
   */
  readonly backoff?: Pick<RetrySettings, 'initialMs' | 'maxMs' | 'factor'>;
}

export const UNLEASED_READ_BACKOFF: Pick<RetrySettings, 'initialMs' | 'maxMs'> = { initialMs: 200, maxMs: 5_000 };

/**
 * `start()` fails when a stream does not exist; then one loop per shard calls GetRecords (no more than 5 per
 * second, the per-shard limit), and after a throttle, a network error or an expired iterator starts again just
 * after the last record it handed over. `stop()` aborts calls in flight and waits for the loops.
 *
 * @example
 * const reader = readKinesisUnleased({ client, streams: ['rides'], from: 'LATEST', onRecords: count, onError: fail });
 * await reader.start();
 */
export function readKinesisUnleased(o: UnleasedReaderOptions): Lifecycle {
  const abort = new AbortController();
  const { signal } = abort;
  const reading = new Set<string>();
  const loops: Promise<void>[] = [];

  const readShard = async (stream: string, shardId: string): Promise<void> => {
    let after: string | undefined;
    let iterator: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const position = after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: after }
          : { ShardIteratorType: o.from };
        iterator ??= (
          await o.client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ...position }), {
            abortSignal: signal,
          })
        ).ShardIterator;
        const out = await o.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }), {
          abortSignal: signal,
        });
        failures = 0;
        const records = out.Records ?? [];
        if (records.length) {
          o.onRecords(
            stream,
            records.map((r) => r.Data ?? new Uint8Array()),
          );
          after = records.at(-1)?.SequenceNumber;
        }
        // A closed shard read to its end: its children carry on.
        if (!out.NextShardIterator) return;
        iterator = out.NextShardIterator;
        await pause(records.length ? MIN_GET_RECORDS_INTERVAL_MS : (o.idlePollMs ?? 500), signal);
      } catch (err) {
        if (signal.aborted) return;
        iterator = undefined;
        if (awsErrorName(err) !== 'ExpiredIteratorException' && !isRetriable(err, classifyAwsError))
          return o.onError(err);
        await pause(backoffMs(++failures, o.backoff ?? UNLEASED_READ_BACKOFF), signal);
      }
    }
  };

  const syncShards = async (): Promise<void> => {
    for (const stream of o.streams) {
      for (const shard of await listAllShards(o.client, stream)) {
        const key = `${stream}/${shard.ShardId}`;
        if (reading.has(key)) continue;
        reading.add(key);
        loops.push(readShard(stream, shard.ShardId!));
      }
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
