import { retrySettings, type Logger } from '@ridestream/runtime';
import {
  createStreamConsumerService,
  type Scorer,
  type StreamConsumerService,
  type StreamSink,
  type StreamSource,
} from '@ridestream/stream-core';
import { awsConnectionsFromEnv, createDynamoClient, createKinesisClient } from './client';
import type { KinesisServiceEnv } from './config';
import { runKinesisConsumer, type KinesisConsumer } from './consumer';
import { encodeForKinesis } from './dead-letter';
import { leaseTable } from './lease-table';
import { createKinesisMetrics, type KinesisMetrics } from './metrics';
import { createKinesisPublisher, type KinesisPublisher } from './publisher';
import { ensureStreams } from './streams';

export interface KinesisConsumerService extends StreamConsumerService {
  /** The running consumer once started (shards held, `halt()` for failover tests). */
  consumer(): KinesisConsumer | undefined;
}

export interface KinesisConsumerServiceOptions {
  readonly config: KinesisServiceEnv;
  /** Owned by the service from here on: `stop()` disposes it. */
  readonly scorer: Scorer;
  /** A challenger scored beside `scorer` to SHADOW_OUTPUT_STREAM (owned by the service too). */
  readonly shadow?: Scorer;
  readonly logger: Logger;
}

/**
 * A scoring consumer on Kinesis: the transport-neutral service (`createStreamConsumerService`, the same one Kafka
 * uses) with shards read under leases as its source (shared with the other instances of `APPLICATION_NAME` through
 * the lease table) and PutRecords as its sink. `stop()` finishes and checkpoints the chunks in hand, releases the
 * leases, stops the publisher and closes the AWS clients; the core then releases the model.
 */
export function createKinesisConsumerService(o: KinesisConsumerServiceOptions): KinesisConsumerService {
  const { config } = o;
  const connections = awsConnectionsFromEnv(config);
  const kinesis = createKinesisClient(connections.kinesis);
  const dynamo = createDynamoClient(connections.dynamodb);
  const leases = leaseTable(dynamo, config.LEASE_TABLE ?? `${config.APPLICATION_NAME}-leases`, config.INPUT_STREAM);
  let publisher: KinesisPublisher | undefined;
  let kinesisMetrics: KinesisMetrics | undefined;
  let consumer: KinesisConsumer | undefined;
  let crashed: (err: unknown) => void = () => {};
  const finished = new Promise<void>((_, reject) => (crashed = reject));
  finished.catch(() => {});
  const shadowStream = config.SHADOW_OUTPUT_STREAM ?? `${config.OUTPUT_STREAM}.shadow`;

  const service = createStreamConsumerService({
    name: config.APPLICATION_NAME,
    scorer: o.scorer,
    logger: o.logger,
    logBindings: { transport: 'kinesis' },
    outputStream: config.OUTPUT_STREAM,
    deadLetterStream: config.DEAD_LETTER_STREAM,
    publishRetry: retrySettings(config, 'PUBLISH'),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    describe: {
      input: config.INPUT_STREAM,
      output: config.OUTPUT_STREAM,
      ...(o.shadow ? { shadow: shadowStream } : {}),
    },
    shadow: o.shadow && { scorer: o.shadow, outputStream: shadowStream },
    sink: ({ logger, registry, signal }): StreamSink => {
      kinesisMetrics = createKinesisMetrics(registry);
      const metrics = kinesisMetrics;
      const p = createKinesisPublisher(kinesis, {
        logger,
        signal,
        onRecordsFailed: (n) => metrics.throttled.inc({ operation: 'PutRecords' }, n),
      });
      publisher = p;
      return {
        start: async () => {},
        publish: (messages) => p.send(encodeForKinesis(messages, config.DEAD_LETTER_STREAM)),
        stopSteps: [{ name: 'stop publisher', run: () => p.stop() }],
      };
    },
    source: (): StreamSource => ({
      finished,
      isReady: () => consumer !== undefined,
      start: async (pipeline) => {
        consumer = await runKinesisConsumer({
          ...pipeline,
          kinesis,
          leases,
          publisher: publisher!,
          kinesisMetrics,
          inputStream: config.INPUT_STREAM,
          workerId: config.WORKER_ID,
          leaseDurationMs: config.LEASE_DURATION_MS,
          shardSyncMs: config.SHARD_SYNC_MS,
          idlePollMs: config.IDLE_POLL_MS,
          maxRecordsPerGet: config.MAX_RECORDS_PER_GET,
          chunkSize: config.BATCH_SIZE,
          initialPosition: config.INITIAL_POSITION,
          readRetry: retrySettings(config, 'SHARD_READ'),
          leaseRetry: retrySettings(config, 'LEASE'),
        });
        consumer.finished.catch((err: unknown) => crashed(err));
      },
      stopSteps: [{ name: 'stop consuming (finish, checkpoint, release leases)', run: () => consumer?.stop() }],
    }),
    ensureResources: config.CREATE_RESOURCES
      ? async () => {
          const created = await ensureStreams(kinesis, [
            { stream: config.INPUT_STREAM },
            { stream: config.OUTPUT_STREAM },
            { stream: config.DEAD_LETTER_STREAM },
            ...(o.shadow ? [{ stream: shadowStream }] : []),
          ]);
          await leases.ensure();
          return created;
        }
      : undefined,
    cleanups: [{ name: 'close AWS clients', run: () => (kinesis.destroy(), dynamo.destroy()) }],
  });
  return { ...service, consumer: () => consumer };
}
