/**
 * The dashboard's reader on Kinesis: every shard of the rides, prediction and dead-letter streams, without leases
 * or checkpoints (it only counts and shows), from now (LATEST) or from the oldest record (TRIM_HORIZON), through
 * libs/kinesis's `readKinesisUnleased` (the same reader as the live view's prediction reader).
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { readKinesisUnleased } from '@ridestream/kinesis';
import { roleByStream, type StreamTap, type TapOptions } from './taps';

export interface KinesisTapOptions extends TapOptions {
  /** The caller's client; the tap never destroys it. */
  readonly client: KinesisClient;
  /** Pause after a GetRecords that returned nothing. */
  readonly idlePollMs?: number;
  /** How often each stream's shard list is read again. */
  readonly shardSyncMs?: number;
}

/**
 * @example
 * const tap = openKinesisTap({ client, streams, fromBeginning: false, onRecords, onError });
 * await tap.start();
 */
export function openKinesisTap(o: KinesisTapOptions): StreamTap {
  const roles = roleByStream(o.streams);
  return readKinesisUnleased({
    client: o.client,
    streams: [...roles.keys()],
    from: o.fromBeginning ? 'TRIM_HORIZON' : 'LATEST',
    // Kinesis records have no headers.
    onRecords: (stream, values) =>
      o.onRecords(
        roles.get(stream)!,
        values.map((value) => ({ value, headers: {} })),
      ),
    onError: o.onError,
    idlePollMs: o.idlePollMs,
    shardSyncMs: o.shardSyncMs ?? 10_000,
  });
}
