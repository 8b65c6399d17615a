/**
 * The dashboard's reader on Kinesis: every shard of the rides, prediction and dead-letter streams, without leases
 * or checkpoints (it only counts and shows), from now (LATEST) or from the oldest record (TRIM_HORIZON). Shards
 * that appear later (a reshard) are found by listing again.
 */
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { classifyAwsError, listAllShards } from '@ridestream/kinesis';
import { backoffMs, isRetriable, once } from '@ridestream/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import { roleByStream, type StreamTap, type TapOptions, type TapRole } from './taps';

export interface KinesisTapOptions extends TapOptions {
  /** The caller's client; the tap never destroys it. */
  readonly client: KinesisClient;
  /** Pause after a GetRecords that returned nothing. */
  readonly idlePollMs?: number;
  /** How often each stream's shard list is read again. */
  readonly shardSyncMs?: number;
}

/** Kinesis allows 5 GetRecords calls per second per shard, shared by every reader of the shard. */
const MIN_GET_RECORDS_INTERVAL_MS = 200;

/** An iterator expires after 5 minutes unused (a long pause, a slow page): get a new one where we were. */
const isExpiredIterator = (err: unknown) => (err as { name?: string } | undefined)?.name === 'ExpiredIteratorException';

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
const pause = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => undefined);

/**
 * @example
 * const tap = openKinesisTap({ client, streams, fromBeginning: false, onRecords, onError });
 * await tap.start();
 */
export function openKinesisTap(o: KinesisTapOptions): StreamTap {
  const abort = new AbortController();
  const { signal } = abort;
  const roles = roleByStream(o.streams);
  const reading = new Set<string>();
  const loops: Promise<void>[] = [];

  const readShard = async (stream: string, role: TapRole, shardId: string): Promise<void> => {
    let after: string | undefined;
    let iterator: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const position = after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: after }
          : { ShardIteratorType: o.fromBeginning ? ('TRIM_HORIZON' as const) : ('LATEST' as const) };
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
            role,
            records.map((r) => ({ value: r.Data ?? new Uint8Array(), headers: {} })),
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
        if (!isExpiredIterator(err) && !isRetriable(err, classifyAwsError)) return o.onError(err);
        await pause(backoffMs(++failures, { initialMs: 200, maxMs: 5_000 }), signal);
      }
    }
  };

  const syncShards = async (): Promise<void> => {
    for (const [stream, role] of roles) {
      for (const shard of await listAllShards(o.client, stream)) {
        const key = `${stream}/${shard.ShardId}`;
        if (reading.has(key)) continue;
        reading.add(key);
        loops.push(readShard(stream, role, shard.ShardId!));
      }
    }
  };

  return {
    start: once(async () => {
      await syncShards();
      loops.push(
        (async () => {
          while (!signal.aborted) {
            await pause(o.shardSyncMs ?? 10_000, signal);
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
