import type { OutgoingMessage, Publisher } from '@ridestream/kafka';
import { retry, type Logger } from '@ridestream/runtime';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { deadLetterHeaders } from './dead-letter';
import type { ConsumerMetrics } from './metrics';
import { planBatch, type BatchPlan } from './outcomes';
import type { SourceRecord, SourceRef } from './records';
import { scoreRecords, type Scorer } from './score-batch';

export interface KafkaRunnerOptions {
  readonly consumer: Consumer;
  readonly publisher: Publisher;
  readonly scorer: Scorer;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly deadLetterTopic: string;
  /** Name stamped on dead letters: the consumer group. */
  readonly consumerName: string;
  /** Records per model call; kafkajs batches (up to maxBytes) are cut into chunks of this size. */
  readonly chunkSize: number;
  readonly partitionsConsumedConcurrently: number;
  /** Aborted on shutdown so that publish retries stop waiting. */
  readonly signal: AbortSignal;
}

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

/** The messages a plan publishes: predictions keyed by ride id, dead letters keyed as their source. */
export function planMessages(
  plan: BatchPlan,
  o: Pick<KafkaRunnerOptions, 'outputTopic' | 'deadLetterTopic' | 'consumerName' | 'scorer'>,
  source: SourceRef,
  now: Date,
): OutgoingMessage[] {
  const predictions = plan.scored.map((s) => ({
    topic: o.outputTopic,
    key: s.prediction.rideId,
    value: JSON.stringify(s.prediction),
    headers: s.record.headers.traceparent ? { traceparent: s.record.headers.traceparent } : undefined,
  }));
  const ctx = {
    source,
    consumer: o.consumerName,
    modelVersion: `${o.scorer.model.name}@${o.scorer.model.version}`,
    failedAt: now,
  };
  const dead = plan.deadLetters.map((d) => ({
    topic: o.deadLetterTopic,
    key: d.record.key ?? '',
    value: d.record.value ?? Buffer.alloc(0),
    headers: deadLetterHeaders(d, ctx),
  }));
  return [...predictions, ...dead];
}

/**
 * Runs the consumer: for each chunk of a partition's batch, score -> publish predictions and dead letters
 * (acknowledged, with retries) -> resolve the offset -> commit. At-least-once: an offset is resolved only after
 * what it produced is acknowledged, so a crash at any point re-delivers, never loses.
 */
export async function runKafkaConsumer(o: KafkaRunnerOptions): Promise<void> {
  const log = o.logger.child({ component: 'kafka-runner' });
  await o.consumer.subscribe({ topic: o.inputTopic, fromBeginning: true });
  await o.consumer.run({
    autoCommit: true,
    // Threshold 1: every chunk commits as soon as its outputs are acknowledged, so a crash redoes at most one chunk.
    autoCommitInterval: 1000,
    autoCommitThreshold: 1,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
    eachBatch: async (payload: EachBatchPayload) => {
      const { batch } = payload;
      const source: SourceRef = { stream: batch.topic, partition: String(batch.partition) };
      o.metrics.lag.set({ partition: source.partition }, Number(batch.offsetLag()));
      for (let start = 0; start < batch.messages.length; start += o.chunkSize) {
        if (!payload.isRunning() || payload.isStale()) break;
        const records = batch.messages.slice(start, start + o.chunkSize).map(toSourceRecord);
        const t0 = performance.now();
        const outcomes = await scoreRecords(records, o.scorer);
        o.metrics.inferenceSeconds.observe((performance.now() - t0) / 1000);
        o.metrics.batchSize.observe(records.length);
        const plan = planBatch(outcomes);
        const messages = planMessages(plan, o, source, new Date());
        await retry(() => o.publisher.send(messages), {
          retries: 8,
          initialMs: 100,
          maxMs: 5000,
          signal: o.signal,
          onRetry: (err, attempt, delayMs) => {
            o.metrics.publishRetries.inc();
            log.warn({ err, attempt, delayMs, partition: batch.partition }, 'publish failed; retrying');
          },
        });
        const ackedAt = Date.now();
        for (const s of plan.scored)
          o.metrics.endToEndSeconds.observe(Math.max(0, ackedAt - s.record.timestampMs) / 1000);
        o.metrics.records.inc({ outcome: 'scored' }, plan.scored.length);
        o.metrics.records.inc({ outcome: 'rejected' }, plan.deadLetters.length);
        if (plan.deadLetters.length > 0) {
          log.warn(
            { partition: batch.partition, count: plan.deadLetters.length, first: plan.deadLetters[0]?.code },
            'records dead-lettered',
          );
        }
        if (plan.commitThrough !== null) payload.resolveOffset(plan.commitThrough);
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
        if (plan.retryFrom !== null) {
          o.metrics.records.inc({ outcome: 'retry' });
          // Throwing makes kafkajs re-fetch from the last resolved offset after its retry backoff.
          throw new Error(
            `transient failure at offset ${plan.retryFrom}; partition ${batch.partition} will be re-read`,
          );
        }
      }
    },
  });
}
