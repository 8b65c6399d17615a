import {
  processChunk,
  type PipelineOptions,
  type RecordOutcome,
  type SourceRecord,
  type SourceRef,
} from '@ridestream/stream-core';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { KafkaTransportError } from './errors';
import type { TransactionalPublisher } from './transactional';

export interface KafkaRunnerOptions {
  readonly consumer: Consumer;
  /** The pipeline of the service (scorer, sink's publish, metrics, logger, abort signal). */
  readonly pipeline: PipelineOptions;
  readonly inputTopic: string;
  /** Records per model call; kafkajs batches (up to maxBytes) are cut into chunks of this size. */
  readonly chunkSize: number;
  readonly partitionsConsumedConcurrently: number;
  /**
   * Exactly-once: predictions, dead letters and the consumed offset are written in one transaction per chunk,
   * by a transactional producer per input partition. Without it: at-least-once with commits after each chunk.
   */
  readonly exactlyOnce?: {
    readonly groupId: string;
    /** The partition's transactional producer; `fresh`: a new one, whose `initTransactions` runs now. */
    producerFor(topic: string, partition: number, fresh?: boolean): Promise<TransactionalPublisher>;
    /** The group's committed offset of the partition (the next one to read), or null if none. */
    committedOffset(topic: string, partition: number): Promise<string | null>;
  };
}

/** The span attribute OpenTelemetry's messaging conventions name for a Kafka record's offset. */
export const KAFKA_POSITION_ATTRIBUTE = 'messaging.kafka.offset';

/**
 * Runs `commit`s one at a time, and those asked for while one is in flight share the next one. kafkajs commits every
 * resolved offset of every partition in one OffsetCommit, so the chunks of one fetch (PARTITIONS_CONCURRENTLY
 * partitions side by side) need one commit, not one each; each caller still waits for a commit that started after
 * it resolved its offset, so nothing is reported committed before it is.
 */
export function sharedCommits(): (commit: () => Promise<void>) => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (commit: () => Promise<void>): Promise<void> => {
    const run: Promise<void> = commit().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };
  return (commit) => {
    if (!running) return start(commit);
    return (next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start(commit);
      }));
  };
}

/** The offset Kafka commits is the next one to read. */
const nextOffset = (offset: string) => (BigInt(offset) + 1n).toString();

function toSourceRecord(m: KafkaMessage): SourceRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {}))
    if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return {
    position: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value,
    headers,
    timestampMs: Number(m.timestamp),
  };
}

/**
 * Runs the consumer: for each chunk of a partition's batch, score -> publish predictions and dead letters
 * (acknowledged, with retries) -> resolve the offset -> commit. At-least-once: an offset is resolved only after
 * what it produced is acknowledged, so a crash at any point re-delivers, never loses.
 */
export async function runKafkaConsumer(o: KafkaRunnerOptions): Promise<void> {
  const pipeline: PipelineOptions = { ...o.pipeline, logger: o.pipeline.logger.child({ component: 'kafka-runner' }) };
  const eos = o.exactlyOnce;
  // Exactly-once: the partitions whose producer and offset were settled since this instance last joined the group.
  const settled = new Set<number>();
  if (eos) o.consumer.on(o.consumer.events.GROUP_JOIN, () => settled.clear());

  /**
   * Exactly-once, the first batch of a partition after a join. kafkajs fetched the partition's committed offset when
   * it was assigned, but a transaction that committed just before (by the instance that had the partition, or by
   * this one before a broker restart) may not have written its offset yet: Kafka acknowledges EndTxn before its
   * markers are written, and kafkajs's OffsetFetch has no `require_stable` (KIP-447). Records below the offset that
   * transaction commits would then be scored and published a second time, visible to read_committed readers. So:
   * a fresh producer for the partition (its `initTransactions` fences the old owner and returns only once any
   * transaction of this transactional id is complete), then the committed offset again, and what lies below it is
   * skipped. Found by the chaos run: 7 duration rides twice in exactly-once after a rescale.
   */
  async function settle(batch: EachBatchPayload['batch'], resolve: (offset: string) => void) {
    const { tx, committed } = await fence(batch.topic, batch.partition);
    settled.add(batch.partition);
    if (committed === null) return { tx, messages: batch.messages };
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= committed);
    const skipped = batch.messages.length - messages.length;
    if (skipped > 0) {
      resolve(batch.messages[skipped - 1]!.offset);
      pipeline.logger.info(
        { partition: batch.partition, skipped, committed },
        'records below the committed offset were published by a committed transaction; skipped',
      );
    }
    return { tx, messages };
  }

  /**
   * A fresh transactional producer for the partition (its `initTransactions` returns only once any transaction of
   * this transactional id is complete), then the group's committed offset, which is stable from then on.
   */
  async function fence(topic: string, partition: number) {
    const tx = await eos!.producerFor(topic, partition, true);
    const committed = await eos!.committedOffset(topic, partition);
    return { tx, committed: committed === null ? null : BigInt(committed) };
  }

  const commit = sharedCommits();
  await o.consumer.subscribe({ topic: o.inputTopic, fromBeginning: true });
  await o.consumer.run({
    autoCommit: !eos,
    // Threshold 1: every chunk commits as soon as its outputs are acknowledged, so a crash redoes at most one chunk.
    autoCommitInterval: 1000,
    autoCommitThreshold: 1,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
    eachBatch: async (payload: EachBatchPayload) => {
      const { batch } = payload;
      const source: SourceRef = { stream: batch.topic, partition: String(batch.partition) };
      pipeline.metrics.lag.set({ partition: source.partition }, Number(batch.offsetLag()));
      const { tx, messages: fetched } = !eos
        ? { tx: undefined, messages: batch.messages }
        : settled.has(batch.partition)
          ? { tx: await eos.producerFor(batch.topic, batch.partition), messages: batch.messages }
          : await settle(batch, (offset) => payload.resolveOffset(offset));
      const batchPipeline: PipelineOptions = { ...pipeline, heartbeat: () => payload.heartbeat() };
      // Exactly-once: the producer of this batch's transactions, and the chunk (its last offset) whose transaction
      // failed with its outcome unknown.
      let producer = tx;
      let unsure: string | null = null;
      const chunkPipeline: PipelineOptions =
        producer && eos
          ? {
              ...batchPipeline,
              publish: async (messages, plan) => {
                const through = plan.commitThrough;
                if (through !== null && unsure === through && (await committedBefore(batch, through))) {
                  // The failed attempt did commit (its EndTxn answer was lost): publishing again would duplicate it.
                  unsure = null;
                  return;
                }
                try {
                  await producer!.sendWithOffsets(
                    messages,
                    through === null
                      ? null
                      : {
                          consumerGroupId: eos.groupId,
                          topic: batch.topic,
                          partition: batch.partition,
                          offset: nextOffset(through),
                        },
                  );
                  unsure = null;
                } catch (err) {
                  // A commit that failed may still complete on the broker (EndTxn reached the coordinator, its answer
                  // was lost in a broker restart): the retry checks first, and a re-read of the partition settles.
                  unsure = through;
                  settled.delete(batch.partition);
                  throw err;
                }
              },
            }
          : batchPipeline;
      /** After a failed transaction: a fresh producer (it waits for that transaction to end), then its offset. */
      async function committedBefore(b: EachBatchPayload['batch'], through: string): Promise<boolean> {
        const fenced = await fence(b.topic, b.partition);
        producer = fenced.tx;
        return fenced.committed !== null && fenced.committed > BigInt(through);
      }
      const chunks: SourceRecord[][] = [];
      for (let start = 0; start < fetched.length; start += o.chunkSize)
        chunks.push(fetched.slice(start, start + o.chunkSize).map(toSourceRecord));
      // Scoring runs ahead of publishing (`scorer.lookahead` chunks): a worker-thread scorer scores the next chunks
      // while this thread publishes and commits. Order is kept (one chunk published at a time); a score nobody
      // awaits (the loop stopped early) is dropped.
      const scoring: Promise<RecordOutcome[]>[] = [];
      const scoreUpTo = (k: number) => {
        while (scoring.length <= k && scoring.length < chunks.length) {
          const p = pipeline.scorer.score(chunks[scoring.length]!);
          // A rejection surfaces where the chunk is awaited, or nowhere if the loop stops before it.
          p.catch(() => {});
          scoring.push(p);
        }
      };
      for (let i = 0; i < chunks.length; i++) {
        scoreUpTo(i + Math.max(1, pipeline.scorer.lookahead) - 1);
        const current = scoring[i]!;
        if (!payload.isRunning() || payload.isStale()) break;
        const plan = await processChunk(chunks[i]!, source, chunkPipeline, current);
        // Resolving moves the fetch position; in exactly-once mode the commit already happened in the transaction.
        if (plan.commitThrough !== null) payload.resolveOffset(plan.commitThrough);
        if (!tx) await commit(() => payload.commitOffsetsIfNecessary());
        await payload.heartbeat();
        if (plan.retryFrom !== null) {
          pipeline.metrics.records.inc({ outcome: 'retry' });
          // Throwing makes kafkajs re-fetch from the last resolved offset after its retry backoff; retriable, so
          // that kafkajs restarts the consumer rather than crashing it when its own retries run out.
          throw new KafkaTransportError(
            'BATCH_RETRY',
            `transient failure at offset ${plan.retryFrom}; partition ${batch.partition} will be re-read`,
            {
              retriable: true,
              context: { topic: batch.topic, partition: batch.partition, offset: plan.retryFrom },
            },
          );
        }
      }
    },
  });
}
