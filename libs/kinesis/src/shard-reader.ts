import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type KinesisClient,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { backoffMs, isRetriable, type Logger, type RetrySettings } from '@ridestream/runtime';
import { processChunk, type PipelineOptions, type SourceRecord } from '@ridestream/stream-core';
import { awsErrorName, classifyAwsError, KinesisTransportError } from './errors';
import { CHECKPOINT } from './lease';

/** Kinesis allows 5 GetRecords calls per second per shard, shared by every reader of the shard. */
export const MIN_GET_RECORDS_INTERVAL_MS = 200;

export interface ShardReaderOptions {
  readonly client: KinesisClient;
  readonly stream: string;
  readonly shardId: string;
  /** The lease's checkpoint when it was taken. */
  readonly checkpoint: string;
  readonly pipeline: PipelineOptions;
  readonly chunkSize: number;
  readonly maxRecordsPerGet: number;
  readonly idlePollMs: number;
  /**
   * Backoff and bound of GetRecords failures in a row, and of re-reads in a row (a failed publish or a transient
   * record failure) that checkpoint nothing: past `retries` the reader fails with READ_RETRIES_EXHAUSTED.
   */
  readonly retry: RetrySettings;
  /** Stores a checkpoint under the lease; false = the lease is gone and this reader must stop. */
  readonly saveCheckpoint: (checkpoint: string) => Promise<boolean>;
  /** False once the lease is lost or the consumer stops: the reader returns before the next chunk. */
  readonly isActive: () => boolean;
  readonly logger: Logger;
  readonly onMillisBehind?: (ms: number) => void;
  readonly onThrottled?: () => void;
}

export type ShardReadEnd = 'shard-end' | 'stopped' | 'lease-lost';

/** Resolves after `ms`, or early when `signal` aborts (shutdown must not wait out an idle pause). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function toSourceRecord(r: _Record): SourceRecord {
  const data = r.Data ?? new Uint8Array();
  return {
    position: r.SequenceNumber ?? '',
    key: r.PartitionKey ?? null,
    value: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    headers: {},
    timestampMs: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
  };
}

function iteratorFor(checkpoint: string): { ShardIteratorType: ShardIteratorType; StartingSequenceNumber?: string } {
  if (checkpoint === CHECKPOINT.trimHorizon) return { ShardIteratorType: 'TRIM_HORIZON' };
  if (checkpoint === CHECKPOINT.latest) return { ShardIteratorType: 'LATEST' };
  return { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: checkpoint };
}

/**
 * Reads one leased shard until it ends, the lease is lost, or the consumer stops: GetRecords at most every 200 ms,
 * each chunk scored and published by `processChunk`, then checkpointed (never before: at-least-once). Throttling,
 * transient errors and failed publishes back off and re-read from the last checkpoint; an expired iterator is
 * renewed from it. A closed shard read to its end is checkpointed SHARD_END, which unblocks its children.
 * Throws for errors no retry can fix (the stream is gone, access denied) and once `retry.retries` is spent.
 */
export async function readShard(o: ShardReaderOptions): Promise<ShardReadEnd> {
  const { signal } = o.pipeline;
  const source = { stream: o.stream, partition: o.shardId };
  const log = o.logger;
  let checkpoint = o.checkpoint;
  let iterator: string | undefined;
  // Two counts: a successful GetRecords resets only the read failures; only a checkpoint that moves resets the
  // re-reads, so a publish that keeps failing after good reads still reaches the bound.
  const streak = { read: 0, reread: 0 };
  let lastCallAt = 0;

  const backOff = async (kind: keyof typeof streak, err: unknown, what: string) => {
    const attempt = ++streak[kind];
    if (attempt > o.retry.retries) {
      throw new KinesisTransportError(
        'READ_RETRIES_EXHAUSTED',
        `shard ${o.shardId} of stream ${o.stream}: gave up after ${attempt} ${kind === 'read' ? 'failed reads' : 're-reads'} in a row`,
        { cause: err, retriable: false, context: { stream: o.stream, shardId: o.shardId } },
      );
    }
    const jitter = o.retry.jitter ?? 0.2;
    const ms = backoffMs(attempt, o.retry) * (1 - jitter + Math.random() * 2 * jitter);
    log.warn({ err, shardId: o.shardId, attempt, delayMs: Math.round(ms) }, what);
    await pause(ms, signal);
  };

  while (o.isActive()) {
    await pause(lastCallAt + MIN_GET_RECORDS_INTERVAL_MS - Date.now(), signal);
    if (!o.isActive()) break;
    lastCallAt = Date.now();
    let out;
    try {
      iterator ??= (
        await o.client.send(
          new GetShardIteratorCommand({ StreamName: o.stream, ShardId: o.shardId, ...iteratorFor(checkpoint) }),
        )
      ).ShardIterator;
      out = await o.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: o.maxRecordsPerGet }));
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'ExpiredIteratorException') {
        // Iterators live 5 minutes; a long publish backoff outlives one. Start again after the checkpoint.
        log.info({ shardId: o.shardId, checkpoint }, 'shard iterator expired; renewing from the checkpoint');
        iterator = undefined;
        continue;
      }
      if (!isRetriable(err, classifyAwsError)) throw err;
      if (name === 'ProvisionedThroughputExceededException') o.onThrottled?.();
      await backOff('read', err, 'GetRecords failed; backing off');
      continue;
    }
    streak.read = 0;
    if (out.MillisBehindLatest !== undefined) o.onMillisBehind?.(out.MillisBehindLatest);
    const records = out.Records ?? [];
    let reread = false;
    for (let start = 0; start < records.length && !reread; start += o.chunkSize) {
      if (!o.isActive()) return 'stopped';
      const chunk = records.slice(start, start + o.chunkSize).map(toSourceRecord);
      let plan;
      try {
        plan = await processChunk(chunk, source, o.pipeline);
      } catch (err) {
        if (signal.aborted) return 'stopped';
        // Publishing kept failing: nothing of this chunk is checkpointed; read it again after a pause.
        await backOff('reread', err, 'publish failed; re-reading the shard from the checkpoint');
        reread = true;
        break;
      }
      if (plan.commitThrough !== null) {
        if (!(await o.saveCheckpoint(plan.commitThrough))) return 'lease-lost';
        if (plan.commitThrough !== checkpoint) streak.reread = 0;
        checkpoint = plan.commitThrough;
      }
      if (plan.retryFrom !== null) {
        await backOff('reread', undefined, `transient failure at ${plan.retryFrom}; re-reading from the checkpoint`);
        reread = true;
      }
    }
    if (reread) {
      iterator = undefined;
      continue;
    }
    if (!out.NextShardIterator) {
      // A closed shard (split or merged) has been read to its end: its children may start.
      if (!(await o.saveCheckpoint(CHECKPOINT.shardEnd))) return 'lease-lost';
      log.info({ shardId: o.shardId }, 'shard ended');
      return 'shard-end';
    }
    iterator = out.NextShardIterator;
    if (records.length === 0) await pause(o.idlePollMs, signal);
  }
  return 'stopped';
}
