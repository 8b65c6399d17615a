import { SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { contextFromHeaders, retry, traceHeaders, type Logger, type RetrySettings } from '@ridestream/runtime';
import { DEFAULT_PUBLISH_RETRY } from './config';
import { deadLetterHeaders } from './dead-letter';
import type { ConsumerMetrics } from './metrics';
import { planBatch, type BatchPlan } from './outcomes';
import type { OutgoingMessage, SourceRecord, SourceRef } from './records';
import type { Scorer } from './scorer';
import type { RecordOutcome } from './outcomes';
import type { Shadow } from './shadow';

/** What one chunk needs, whatever the transport (Kafka partition, Kinesis shard, Lambda batch). */
export interface PipelineOptions {
  readonly scorer: Scorer;
  /**
   * Resolves once every message is acknowledged by the output stream. Gets the plan too, so that an exactly-once
   * transport can commit `plan.commitThrough` in the same transaction.
   */
  readonly publish: (messages: readonly OutgoingMessage[], plan: BatchPlan) => Promise<void>;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  readonly outputStream: string;
  readonly deadLetterStream: string;
  /** Name stamped on dead letters: the consumer group (Kafka) or application / function name (Kinesis). */
  readonly consumerName: string;
  /** Aborted on shutdown so that publish retries stop waiting. */
  readonly signal: AbortSignal;
  /** How publishing is retried (the consumer's `PUBLISH_RETRY*` config); default `DEFAULT_PUBLISH_RETRY`. */
  readonly publishRetry?: RetrySettings;
  /** When set, each scored ride gets a span continuing the producer's trace, and its prediction carries it on. */
  readonly tracer?: Tracer;
  /**
   * The span attribute that holds a record's position: the transport's semantic-convention name (Kafka:
   * `messaging.kafka.offset`). Default `ridestream.source.position`.
   */
  readonly positionAttribute?: string;
  /**
   * Called at each publish retry: a Kafka group member must keep heartbeating while it waits out an outage, or the
   * group moves its partitions away in the middle of the batch.
   */
  readonly heartbeat?: () => Promise<void>;
  /** A challenger scoring the same chunks to its own stream, without holding up this one (see createShadow). */
  readonly shadow?: Pick<Shadow, 'offer'>;
}

/** The messages a plan publishes: predictions keyed by ride id, dead letters keyed as their source. */
export function planMessages(
  plan: BatchPlan,
  o: Pick<PipelineOptions, 'outputStream' | 'deadLetterStream' | 'consumerName'> & {
    readonly scorer: Pick<Scorer, 'model'>;
  },
  source: SourceRef,
  now: Date,
  /** Per scored record (same order), headers that continue its trace; without them the traceparent is passed on. */
  spanHeaders?: readonly Record<string, string>[],
): OutgoingMessage[] {
  const predictions = plan.scored.map((s, i) => ({
    stream: o.outputStream,
    key: s.rideId,
    value: s.payload,
    headers:
      spanHeaders?.[i] ?? (s.record.headers.traceparent ? { traceparent: s.record.headers.traceparent } : undefined),
  }));
  const ctx = {
    source,
    consumer: o.consumerName,
    modelVersion: `${o.scorer.model.name}@${o.scorer.model.version}`,
    failedAt: now,
  };
  const dead = plan.deadLetters.map((d) => ({
    stream: o.deadLetterStream,
    key: d.record.key ?? '',
    value: d.record.value ?? Buffer.alloc(0),
    headers: deadLetterHeaders(d, ctx),
  }));
  return [...predictions, ...dead];
}

/**
 * One chunk of records from one partition/shard, in order: score -> publish predictions and dead letters
 * (acknowledged, retried with backoff) -> the plan, whose `commitThrough` the caller may now commit.
 * Throws only when publishing keeps failing (or shutdown aborts it): then nothing of the chunk may be committed.
 *
 * `scoring` lets a caller start scoring this chunk earlier (while the previous chunk is being published), so that
 * a worker-thread scorer and the publishing thread work at the same time.
 */
export async function processChunk(
  records: readonly SourceRecord[],
  source: SourceRef,
  o: PipelineOptions,
  scoring: Promise<RecordOutcome[]> = o.scorer.score(records),
): Promise<BatchPlan> {
  const t0 = performance.now();
  const outcomes = await scoring;
  o.metrics.inferenceSeconds.observe((performance.now() - t0) / 1000);
  // After the champion has scored the chunk, so that the challenger competes with the next chunk at most.
  o.shadow?.offer(records);
  o.metrics.batchSize.observe(records.length);
  const plan = planBatch(outcomes);
  const spans = o.tracer ? startSpans(o.tracer, plan, o, source) : undefined;
  const messages = planMessages(plan, o, source, new Date(), spans?.map(traceHeaders));
  try {
    await publishWithRetry(messages, plan, source, o);
  } catch (err) {
    spans?.forEach((span) => endSpan(span, err));
    throw err;
  }
  spans?.forEach((span) => endSpan(span));
  const ackedAt = Date.now();
  for (const s of plan.scored) o.metrics.endToEndSeconds.observe(Math.max(0, ackedAt - s.record.timestampMs) / 1000);
  o.metrics.records.inc({ outcome: 'scored' }, plan.scored.length);
  o.metrics.records.inc({ outcome: 'rejected' }, plan.deadLetters.length);
  if (plan.skipped.length > 0) {
    o.metrics.records.inc({ outcome: 'skipped' }, plan.skipped.length);
    // One labelled increment per type and chunk, not per record: a label lookup costs more than the count.
    const byType = new Map<string, number>();
    for (const s of plan.skipped) byType.set(s.eventType, (byType.get(s.eventType) ?? 0) + 1);
    for (const [type, n] of byType) o.metrics.skipped.inc({ type }, n);
  }
  if (plan.deadLetters.length > 0) {
    o.logger.warn(
      { partition: source.partition, count: plan.deadLetters.length, first: plan.deadLetters[0]?.code },
      'records dead-lettered',
    );
  }
  return plan;
}

function publishWithRetry(
  messages: readonly OutgoingMessage[],
  plan: BatchPlan,
  source: SourceRef,
  o: PipelineOptions,
): Promise<void> {
  return retry(() => o.publish(messages, plan), {
    ...(o.publishRetry ?? DEFAULT_PUBLISH_RETRY),
    signal: o.signal,
    onRetry: (err, attempt, delayMs) => {
      o.heartbeat?.().catch(() => {});
      o.metrics.publishRetries.inc();
      o.logger.warn({ err, attempt, delayMs, partition: source.partition }, 'publish failed; retrying');
    },
  });
}

/** One consumer span per scored ride, child of the span that published it (from its `traceparent`). */
function startSpans(tracer: Tracer, plan: BatchPlan, o: PipelineOptions, source: SourceRef): Span[] {
  return plan.scored.map((s) =>
    tracer.startSpan(
      `score ${o.scorer.kind}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.destination.name': source.stream,
          'messaging.destination.partition.id': source.partition,
          [o.positionAttribute ?? 'ridestream.source.position']: s.record.position,
          'ridestream.ride_id': s.rideId,
          'ridestream.model': `${o.scorer.model.name}@${o.scorer.model.version}`,
          'ridestream.prediction': s.value,
        },
      },
      contextFromHeaders(s.record.headers),
    ),
  );
}

function endSpan(span: Span, err?: unknown): void {
  if (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
  }
  span.end();
}
