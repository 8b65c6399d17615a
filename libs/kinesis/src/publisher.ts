import {
  DescribeStreamSummaryCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { isRetriable, RetriesExhaustedError, retry, type Lifecycle, type Logger } from '@ridestream/runtime';
import { createKinesisClient, type AwsConnection } from './client';
import { classifyAwsError, KinesisTransportError } from './errors';
import { batchPutEntries, failedEntries, toPutEntry, type PutEntry } from './put-records';
import { ensureStreams, waitForStreamActive } from './streams';

export interface KinesisPublisherOptions {
  readonly logger: Pick<Logger, 'warn' | 'debug'>;
  /** Retries of the failed records of one request before `send` gives up (the caller may retry the whole send). */
  readonly retries?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** PutRecords requests in flight at once per `send`. */
  readonly concurrency?: number;
  /** Aborted on shutdown so that a backoff does not hold `stop()`. */
  readonly signal?: AbortSignal;
  /** Called with the number of records throttled or failed in a response, for metrics. */
  readonly onRecordsFailed?: (count: number, errorCode: string) => void;
}

/** The same contract as the Kafka publisher's `send`: stream = stream name, key = partition key. */
export interface KinesisPublisher extends Lifecycle {
  /** Writes every message with PutRecords; resolves when all are accepted by Kinesis. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
}

/**
 * A PutRecords publisher: requests of at most 500 records / 5 MiB, and after each response only the records that
 * failed (throttled: ProvisionedThroughputExceededException, or InternalFailure) are sent again, with exponential
 * backoff and jitter. When they still fail, `send` rejects with a retriable PUBLISH_FAILED: nothing is lost, the
 * caller (the pipeline) retries or leaves the input uncheckpointed.
 *
 * @example
 * const publisher = createKinesisPublisher(createKinesisClient(conn), { logger });
 * await publisher.send([{ stream: 'ride-duration-predictions', key: rideId, value: JSON.stringify(p) }]);
 */
export function createKinesisPublisher(client: KinesisClient, o: KinesisPublisherOptions): KinesisPublisher {
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const retries = o.retries ?? 6;

  const putOnce = async (stream: string, pending: readonly PutEntry[]): Promise<PutEntry[]> => {
    const out = await client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: pending.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })),
      }),
    );
    const results = (out.Records ?? []).map((r) => ({ errorCode: r.ErrorCode }));
    const failed = failedEntries(pending, results);
    if (failed.length > 0) {
      const code = results.find((r) => r.errorCode)?.errorCode ?? 'UnknownError';
      o.onRecordsFailed?.(failed.length, code);
    }
    return failed;
  };

  const putBatch = async (batch: readonly PutEntry[]): Promise<void> => {
    const stream = batch[0]!.stream;
    let pending: readonly PutEntry[] = batch;
    try {
      await retry(
        async () => {
          pending = await putOnce(stream, pending);
          if (pending.length > 0) {
            throw new KinesisTransportError('PUBLISH_FAILED', `${pending.length} records not accepted`, {
              retriable: true,
              context: { stream },
            });
          }
        },
        {
          retries,
          initialMs: o.initialBackoffMs ?? 100,
          maxMs: o.maxBackoffMs ?? 2_000,
          jitter: 0.5,
          signal: o.signal,
          classify: classifyAwsError,
          onRetry: (err, attempt, delayMs) =>
            o.logger.debug({ err, attempt, delayMs, stream, pending: pending.length }, 'PutRecords retry'),
        },
      );
    } catch (cause) {
      throw new KinesisTransportError(
        'PUBLISH_FAILED',
        `${pending.length} of ${batch.length} records to ${stream} not written: ${(cause as Error).message}`,
        {
          // Our own retries ran out: still retriable for the caller (the pipeline retries, or leaves it uncheckpointed).
          retriable: cause instanceof RetriesExhaustedError || isRetriable(cause, classifyAwsError),
          cause,
          context: { stream },
        },
      );
    }
  };

  const send = async (messages: readonly OutgoingMessage[]): Promise<void> => {
    if (stopped) throw new KinesisTransportError('PUBLISHER_STOPPED', 'publisher is stopped');
    if (messages.length === 0) return;
    const batches = batchPutEntries(messages.map((m) => toPutEntry(m)));
    const concurrency = Math.max(1, o.concurrency ?? 4);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await putBatch(batches[next++]!);
    };
    const work = Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker)).then(() => {});
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  };

  let stopPromise: Promise<void> | undefined;
  return {
    start: async () => {},
    send,
    stop() {
      // Sends already started finish (or fail); new ones are refused. The client is the caller's to destroy.
      stopPromise ??= (async () => {
        stopped = true;
        await Promise.allSettled([...inFlight]);
      })();
      return stopPromise;
    },
  };
}

export interface KinesisStreamPublisherOptions {
  readonly connection: AwsConnection;
  /** The stream every message goes to (the messages' `stream` names it). */
  readonly stream: string;
  /** Shards when `prepare()` creates the stream. */
  readonly shards?: number;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Called with the number of records throttled or failed in a PutRecords response, for metrics. */
  readonly onRecordsFailed?: (count: number, errorCode: string) => void;
}

/** A publisher bound to one stream that owns its client: the shape of the producer's transport-neutral publisher. */
export interface KinesisStreamPublisher extends Lifecycle {
  readonly transport: 'kinesis';
  readonly destination: string;
  /** Creates the stream when missing and waits until it is ACTIVE (dev; idempotent). */
  prepare(): Promise<void>;
  /** PutRecords with only the failed records retried; resolves when Kinesis accepted every message. */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
}

/**
 * The producer's side of Kinesis: `start()` checks that the stream exists (failing at once, not on the first
 * request) and waits while it is still CREATING; `publish` is `createKinesisPublisher().send`; `stop()` ends retry
 * backoffs, waits for sends in flight and closes the client.
 *
 * @example
 * const publisher = createKinesisStreamPublisher({ connection: awsConnectionsFromEnv(env).kinesis, stream: 'rides',
 *   logger });
 * createProducerService({ publisher, createResources: env.CREATE_RESOURCES, ... });
 */
export function createKinesisStreamPublisher(o: KinesisStreamPublisherOptions): KinesisStreamPublisher {
  const client = createKinesisClient(o.connection);
  const abort = new AbortController();
  const publisher = createKinesisPublisher(client, {
    logger: o.logger,
    signal: abort.signal,
    onRecordsFailed: o.onRecordsFailed,
  });
  let stopPromise: Promise<void> | undefined;
  return {
    transport: 'kinesis',
    destination: o.stream,
    prepare: async () => {
      const created = await ensureStreams(client, [{ stream: o.stream, shards: o.shards }]);
      if (created.length) o.logger.info({ created }, 'created streams');
    },
    start: async () => {
      let status: string | undefined;
      try {
        const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: o.stream }));
        status = out.StreamDescriptionSummary?.StreamStatus;
      } catch (cause) {
        if (!(cause instanceof ResourceNotFoundException)) throw cause;
        throw new KinesisTransportError('STREAM_NOT_ACTIVE', `stream ${o.stream} does not exist`, {
          cause,
          context: { stream: o.stream },
        });
      }
      // An UPDATING stream (resharding) still takes writes; a CREATING one does not yet.
      if (status !== 'ACTIVE' && status !== 'UPDATING') await waitForStreamActive(client, o.stream);
    },
    publish: (messages) => publisher.send(messages),
    stop() {
      stopPromise ??= (async () => {
        abort.abort();
        try {
          await publisher.stop();
        } finally {
          client.destroy();
        }
      })();
      return stopPromise;
    },
  };
}
