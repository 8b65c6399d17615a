import type { Consumer, Message, MessagesStream } from '@platformatic/kafka';
import { backoffMs, isRetriable, type Logger } from '@ridestream/runtime';
import {
  processChunk,
  type PipelineOptions,
  type RecordOutcome,
  type SourceRecord,
  type SourceRef,
} from '@ridestream/stream-core';
import { KafkaTransportError } from '../errors';
import { classifyPlatformaticError, isStaleMembershipError, toKafkaTransportError } from './errors';
import type { PlatformaticTransactionalPublisher } from './transactional';

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

export interface PlatformaticRunnerOptions {
  readonly consumer: Consumer;
  readonly pipeline: PipelineOptions;
  readonly inputTopic: string;
  /** Records per model call: what one fetch brought of a partition is cut into chunks of this size. */
  readonly chunkSize: number;
  /** Partitions whose records are processed at once; order within a partition is kept either way. */
  readonly partitionsConcurrently: number;
  /** Exactly-once: the chunk's outputs and its consumed offset in one transaction (one producer per partition). */
  readonly exactlyOnce?: {
    producerFor(partition: number): Promise<PlatformaticTransactionalPublisher>;
    /**
     * The group's committed offsets of these input partitions once no transaction is pending on them (OffsetFetch
     * with `require_stable`, KIP-447); a partition without a commit is left out.
     */
    stableOffsets(partitions: readonly number[]): Promise<ReadonlyMap<number, bigint>>;
  };
}

export interface PlatformaticRunner {
  /** Settles when the loop ends: resolves after `stop()`, rejects when reading failed for good. */
  readonly done: Promise<void>;
  /** Stops reading; the records in hand are finished and committed first. */
  stop(): Promise<void>;
}

/** Consecutive failures of the read loop (a broker restart, a rebalance storm) before the process gives up. */
const MAX_READ_FAILURES = 12;

/** Most records taken from the stream before they are processed: the fetch in hand, bounded. */
const pendingLimit = (o: PlatformaticRunnerOptions) => o.chunkSize * 4 * o.partitionsConcurrently;

export function toSourceRecord(m: Message): SourceRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers) headers[k.toString('utf8')] = v.toString('utf8');
  return {
    position: m.offset.toString(),
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value ?? null,
    headers,
    timestampMs: Number(m.timestamp),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs `fn` over `items`, at most `limit` at once; waits for all, then throws the first failure. */
async function settleAll<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item).catch((err: unknown) => void errors.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/**
 * The consumer loop on @platformatic/kafka: what the stream holds is grouped by partition, each partition's records
 * cut into chunks run through `processChunk` in order (score -> publish, acknowledged -> commit), partitions side by
 * side. At-least-once: an offset is committed only after what its chunk produced is acknowledged.
 *
 * The client has no eachBatch and no seek, so two things kafkajs does for us are done here:
 * - a failed chunk (publishing gave up, or a record asked to be retried) closes the stream and opens a new one after
 *   a backoff, which reads again from the committed offsets (what kafkajs does when eachBatch throws);
 * - it re-reads from the committed offsets after every rebalance too, while records fetched before may still be in
 *   hand: `next` holds, per partition, the offset after the last record this instance finished, and anything below
 *   it is not processed twice. A partition this instance lost is forgotten, and its records in hand are dropped.
 */
export async function startPlatformaticRunner(o: PlatformaticRunnerOptions): Promise<PlatformaticRunner> {
  const log: Logger = o.pipeline.logger.child({ component: 'kafka-runner' });
  const pipeline: PipelineOptions = { ...o.pipeline, logger: log };
  const next = new Map<number, bigint>();
  // Exactly-once: the partitions whose stable committed offset was read since the last join.
  const settled = new Set<number>();
  let stream: Stream | undefined;
  let stopping = false;

  const assigned = () =>
    new Set(o.consumer.assignments?.find((a) => a.topic === o.inputTopic)?.partitions ?? ([] as number[]));
  o.consumer.on('consumer:group:join', () => {
    const mine = assigned();
    for (const p of [...next.keys()]) if (!mine.has(p)) next.delete(p);
    settled.clear();
  });

  /**
   * Exactly-once, before the first records of a partition after a join: the stream started from the committed
   * offsets the client read without `require_stable`, so a transaction committed just before (by the partition's
   * previous owner, or by this instance before a broker restart) may not have written its offset yet, and its
   * records would be published a second time. The stable offset moves `next` up, and what lies below it is skipped.
   */
  async function settle(partitions: readonly number[]): Promise<void> {
    const missing = partitions.filter((p) => !settled.has(p));
    if (missing.length === 0) return;
    const stable = await o.exactlyOnce!.stableOffsets(missing);
    for (const p of missing) {
      const committed = stable.get(p);
      const known = next.get(p);
      if (committed !== undefined && (known === undefined || committed > known)) next.set(p, committed);
      settled.add(p);
    }
  }

  async function commit(message: Message): Promise<void> {
    try {
      await message.commit();
    } catch (err) {
      // The next chunk's commit covers this one; a stale generation means the partition is someone else's now.
      if (isStaleMembershipError(err)) log.info({ partition: message.partition }, 'commit refused: group moved on');
      else log.warn({ err, partition: message.partition }, 'commit failed; the next one covers it');
    }
  }

  async function processPartition(partition: number, messages: readonly Message[]): Promise<void> {
    const source: SourceRef = { stream: o.inputTopic, partition: String(partition) };
    const byPosition = new Map(messages.map((m) => [m.offset.toString(), m]));
    const eos = o.exactlyOnce;
    const tx = eos && (await eos.producerFor(partition));
    const chunkPipeline: PipelineOptions = tx
      ? {
          ...pipeline,
          publish: (out, plan) =>
            tx.sendWithOffset(out, plan.commitThrough === null ? null : byPosition.get(plan.commitThrough)!),
        }
      : pipeline;
    const chunks: SourceRecord[][] = [];
    for (let start = 0; start < messages.length; start += o.chunkSize)
      chunks.push(messages.slice(start, start + o.chunkSize).map(toSourceRecord));
    // As on kafkajs: the worker scores the next chunks while this thread publishes and commits this one.
    const scoring: Promise<RecordOutcome[]>[] = [];
    const scoreUpTo = (k: number) => {
      while (scoring.length <= k && scoring.length < chunks.length) {
        const p = pipeline.scorer.score(chunks[scoring.length]!);
        p.catch(() => {});
        scoring.push(p);
      }
    };
    for (let i = 0; i < chunks.length; i++) {
      scoreUpTo(i + Math.max(1, pipeline.scorer.lookahead) - 1);
      if (stopping || !assigned().has(partition)) return;
      const plan = await processChunk(chunks[i]!, source, chunkPipeline, scoring[i]!);
      if (plan.commitThrough !== null) {
        next.set(partition, BigInt(plan.commitThrough) + 1n);
        // In exactly-once mode the offset went with the transaction.
        if (!tx) await commit(byPosition.get(plan.commitThrough)!);
      }
      if (plan.retryFrom !== null) {
        pipeline.metrics.records.inc({ outcome: 'retry' });
        throw new KafkaTransportError(
          'PUBLISH_FAILED',
          `transient failure at offset ${plan.retryFrom}; partition ${partition} will be re-read`,
          { retriable: true, context: { partition, offset: String(plan.retryFrom) } },
        );
      }
    }
  }

  async function processPending(messages: readonly Message[]): Promise<void> {
    const mine = assigned();
    if (o.exactlyOnce)
      await settle([...new Set(messages.filter((m) => m.topic === o.inputTopic).map((m) => m.partition))]);
    const byPartition = new Map<number, Message[]>();
    for (const m of messages) {
      if (m.topic !== o.inputTopic || !mine.has(m.partition)) continue;
      const from = next.get(m.partition);
      if (from !== undefined && m.offset < from) continue;
      let list = byPartition.get(m.partition);
      if (!list) byPartition.set(m.partition, (list = []));
      list.push(m);
    }
    await settleAll([...byPartition], o.partitionsConcurrently, ([p, list]) => processPartition(p, list));
  }

  async function drain(s: Stream, onProgress: () => void): Promise<void> {
    let pending: Message[] = [];
    const limit = pendingLimit(o);
    // Like kafkajs' eachBatch: whatever the fetches brought (the stream's buffer is empty) or a bounded amount.
    for await (const message of s) {
      if (stopping) break;
      pending.push(message as Message);
      if (pending.length >= limit || s.readableLength === 0) {
        const batch = pending;
        pending = [];
        try {
          await processPending(batch);
        } catch (cause) {
          // Whatever failed in a chunk (publishing gave up, a record asked for a retry), reading again passes.
          throw new KafkaTransportError('PUBLISH_FAILED', `a chunk failed: ${(cause as Error).message}`, {
            retriable: true,
            cause,
          });
        }
        onProgress();
      }
    }
  }

  const consume = async () =>
    (await o.consumer.consume({
      topics: [o.inputTopic],
      autocommit: false,
      mode: 'committed',
      fallbackMode: 'earliest',
      // The client's default buffer (1,024 records) cuts what one pass takes to about two chunks spread over the
      // partitions, so the scoring worker would wait on every round trip: buffer what one pass processes.
      highWaterMark: pendingLimit(o),
    })) as Stream;

  async function loop(first: Stream): Promise<void> {
    let failures = 0;
    stream = first;
    while (!stopping) {
      try {
        stream ??= await consume();
        if (stopping) break;
        await drain(stream, () => (failures = 0));
        stream = undefined;
      } catch (err) {
        if (stopping) break;
        failures += 1;
        const retriable = isRetriable(err, classifyPlatformaticError) || isStaleMembershipError(err);
        if (!retriable || failures > MAX_READ_FAILURES) throw err;
        const delayMs = backoffMs(failures, { initialMs: 200, maxMs: 5000 });
        log.warn(
          { err, attempt: failures, delayMs },
          'reading failed; the partitions are read again from their commits',
        );
        await stream?.close().catch(() => {});
        stream = undefined;
        await sleep(delayMs, pipeline.signal);
      }
    }
  }

  // The first join and stream belong to startup: a refused login or an unknown topic fails it, naming the cause.
  let first: Stream;
  try {
    first = await consume();
  } catch (cause) {
    throw toKafkaTransportError('BROKERS_UNREACHABLE', `cannot consume ${o.inputTopic}`, cause);
  }
  const done = loop(first);
  done.catch(() => {});
  return {
    done,
    async stop() {
      stopping = true;
      await stream?.close().catch((err: unknown) => log.warn({ err }, 'closing the stream failed'));
      await done.catch(() => {});
    },
  };
}
