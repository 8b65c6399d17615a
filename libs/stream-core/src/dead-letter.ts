import type { RecordOutcome } from './outcomes';
import type { SourceRef } from './records';

/**
 * Header names on dead-lettered records; documented for whoever drains the DLQ. The keys are transport-neutral (a
 * Kinesis stream, shard and sequence number fill the same three as a Kafka topic, partition and offset); the wire
 * values are the published ones, unchanged.
 */
export const DLQ_HEADERS = {
  code: 'x-ridestream-error-code',
  reason: 'x-ridestream-error-reason',
  issues: 'x-ridestream-error-issues',
  sourceStream: 'x-ridestream-source-topic',
  sourcePartition: 'x-ridestream-source-partition',
  sourcePosition: 'x-ridestream-source-offset',
  consumer: 'x-ridestream-consumer',
  modelVersion: 'x-ridestream-model-version',
  failedAt: 'x-ridestream-failed-at',
} as const;

/** Headers must stay small: a record with a megabyte of garbage must not produce a megabyte of header. */
const MAX_HEADER_CHARS = 2000;
const clip = (s: string) => (s.length > MAX_HEADER_CHARS ? `${s.slice(0, MAX_HEADER_CHARS)}…` : s);

export interface DeadLetterContext {
  readonly source: SourceRef;
  readonly consumer: string;
  readonly modelVersion: string;
  readonly failedAt: Date;
}

/**
 * The dead-letter copy of a rejected record: the original key and bytes untouched (so it can be replayed once
 * fixed), the original headers, and ours saying why and where from.
 */
export function deadLetterHeaders(
  outcome: Extract<RecordOutcome, { status: 'rejected' }>,
  ctx: DeadLetterContext,
): Record<string, string> {
  return {
    ...outcome.record.headers,
    [DLQ_HEADERS.code]: outcome.code,
    [DLQ_HEADERS.reason]: clip(outcome.reason),
    [DLQ_HEADERS.issues]: clip(JSON.stringify(outcome.issues)),
    [DLQ_HEADERS.sourceStream]: ctx.source.stream,
    [DLQ_HEADERS.sourcePartition]: ctx.source.partition,
    [DLQ_HEADERS.sourcePosition]: outcome.record.position,
    [DLQ_HEADERS.consumer]: ctx.consumer,
    [DLQ_HEADERS.modelVersion]: ctx.modelVersion,
    [DLQ_HEADERS.failedAt]: ctx.failedAt.toISOString(),
  };
}
