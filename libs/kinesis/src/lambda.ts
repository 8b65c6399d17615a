import type { Logger } from '@ridestream/runtime';
import {
  createConsumerMetrics,
  processChunk,
  type ConsumerMetrics,
  type OutgoingMessage,
  type Scorer,
  type SourceRecord,
} from '@ridestream/stream-core';
import { Registry } from 'prom-client';
import { encodeForKinesis } from './dead-letter';

/** One record of a Lambda Kinesis event (the event source mapping's shape; `data` is base64). */
export interface KinesisEventRecord {
  readonly kinesis: {
    readonly kinesisSchemaVersion?: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    readonly data: string;
    /** Seconds since the epoch, with a fraction. */
    readonly approximateArrivalTimestamp: number;
  };
  readonly eventSource?: string;
  readonly eventVersion?: string;
  /** `shardId-000000000006:<sequence number>`. */
  readonly eventID: string;
  readonly eventName?: string;
  readonly invokeIdentityArn?: string;
  readonly awsRegion?: string;
  readonly eventSourceARN: string;
}
export interface KinesisStreamEvent {
  readonly Records: readonly KinesisEventRecord[];
}
/** The partial batch response (the mapping needs `FunctionResponseTypes: ["ReportBatchItemFailures"]`). */
export interface KinesisBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}
export interface LambdaContextLike {
  getRemainingTimeInMillis?(): number;
}

export interface KinesisLambdaOptions {
  readonly scorer: Scorer;
  readonly publisher: { send(messages: readonly OutgoingMessage[]): Promise<void> };
  readonly outputStream: string;
  readonly deadLetterStream: string;
  /** Stamped on dead letters: the function's name. */
  readonly consumerName: string;
  readonly logger: Logger;
  readonly metrics?: ConsumerMetrics;
  /** Publish retries stop this long before the invocation's deadline, so the handler still answers. */
  readonly safetyMarginMs?: number;
}

/** `arn:aws:kinesis:<region>:<account>:stream/<name>` -> `<name>`. */
export const streamNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1) || arn;
const shardOf = (r: KinesisEventRecord) => r.eventID.split(':')[0] ?? '';

export function eventRecordToSource(r: KinesisEventRecord): SourceRecord {
  return {
    position: r.kinesis.sequenceNumber,
    key: r.kinesis.partitionKey,
    value: Buffer.from(r.kinesis.data, 'base64'),
    headers: {},
    timestampMs: Math.round(r.kinesis.approximateArrivalTimestamp * 1000),
  };
}

/**
 * A Lambda handler for one consumer: each shard's records in the event are scored in one model call, predictions
 * go to `outputStream`, poison records to `deadLetterStream` as envelopes with the reason (they are handled, not
 * failures, so they never stall the shard), and only a transient failure is reported in `batchItemFailures`:
 * Lambda then retries from that record on, and what was published before it is not published twice.
 *
 * @example
 * const model = await createModel({ path: process.env.MODEL_PATH });
 * export const handler = createKinesisLambdaHandler({ scorer: scorerOf('duration', model), publisher, ... });
 */
export function createKinesisLambdaHandler(o: KinesisLambdaOptions) {
  const metrics = o.metrics ?? createConsumerMetrics(new Registry());
  const logger = o.logger.child({ component: 'kinesis-lambda' });
  const margin = o.safetyMarginMs ?? 2_000;
  return async (event: KinesisStreamEvent, context?: LambdaContextLike): Promise<KinesisBatchResponse> => {
    const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
    const signal = AbortSignal.timeout(Math.max(1, remaining - margin));
    // An event source mapping sends one shard per invocation; grouping keeps this correct if one ever mixes them.
    const groups = new Map<string, KinesisEventRecord[]>();
    for (const r of event.Records) {
      const key = `${r.eventSourceARN}\u0000${shardOf(r)}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const records of groups.values()) {
      const first = records[0]!;
      const source = { stream: streamNameOf(first.eventSourceARN), partition: shardOf(first) };
      try {
        const plan = await processChunk(records.map(eventRecordToSource), source, {
          scorer: o.scorer,
          publish: (messages) => o.publisher.send(encodeForKinesis(messages, o.deadLetterStream)),
          logger,
          metrics,
          outputStream: o.outputStream,
          deadLetterStream: o.deadLetterStream,
          consumerName: o.consumerName,
          signal,
        });
        if (plan.retryFrom !== null) batchItemFailures.push({ itemIdentifier: plan.retryFrom });
      } catch (err) {
        // Nothing of this shard's records is known to be published: Lambda retries them all.
        logger.error({ err, shardId: source.partition, records: records.length }, 'publish failed; batch retried');
        batchItemFailures.push({ itemIdentifier: first.kinesis.sequenceNumber });
      }
    }
    return { batchItemFailures };
  };
}
