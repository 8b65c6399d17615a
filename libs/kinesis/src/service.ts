import {
  createMetricsRegistry,
  createOpsServer,
  once,
  runCleanups,
  type Logger,
  type OpsServer,
  type Registry,
  type Service,
} from '@ridestream/runtime';
import { createConsumerMetrics, type Scorer } from '@ridestream/stream-consumer';
import { awsConnectionsFromEnv, createDynamoClient, createKinesisClient } from './client';
import type { KinesisServiceEnv } from './config';
import { runKinesisConsumer, type KinesisConsumer } from './consumer';
import { leaseTable } from './lease-table';
import { createKinesisMetrics } from './metrics';
import { createKinesisPublisher } from './publisher';
import { ensureStreams } from './streams';

export interface KinesisConsumerService extends Service {
  readonly ops: OpsServer;
  readonly registry: Registry;
  isReady(): boolean;
  /** The running consumer once started (shards held, `halt()` for failover tests). */
  consumer(): KinesisConsumer | undefined;
}

export interface KinesisConsumerServiceOptions {
  readonly config: KinesisServiceEnv;
  /** Owned by the service from here on: `stop()` disposes it. */
  readonly scorer: Scorer;
  readonly logger: Logger;
}

/**
 * A scoring consumer on Kinesis, the counterpart of `createConsumerService` on Kafka: same scoring pipeline, same
 * metrics and ops routes; shards shared with the other instances of `APPLICATION_NAME` through the lease table.
 * `stop()` finishes and checkpoints the chunks in hand, releases the leases, then closes clients and the model.
 */
export function createKinesisConsumerService(o: KinesisConsumerServiceOptions): KinesisConsumerService {
  const { config } = o;
  const logger = o.logger.child({ component: `${o.scorer.kind}-consumer`, transport: 'kinesis' });
  const registry = createMetricsRegistry({ consumer: config.APPLICATION_NAME });
  const metrics = createConsumerMetrics(registry);
  const kinesisMetrics = createKinesisMetrics(registry);
  const connections = awsConnectionsFromEnv(config);
  const kinesis = createKinesisClient(connections.kinesis);
  const dynamo = createDynamoClient(connections.dynamodb);
  const abort = new AbortController();
  const publisher = createKinesisPublisher(kinesis, {
    logger,
    signal: abort.signal,
    onRecordsFailed: (n) => kinesisMetrics.throttled.inc({ operation: 'PutRecords' }, n),
  });
  const leases = leaseTable(dynamo, config.LEASE_TABLE ?? `${config.APPLICATION_NAME}-leases`, config.INPUT_STREAM);
  let consumer: KinesisConsumer | undefined;
  let crashed: (err: unknown) => void = () => {};
  const finished = new Promise<void>((_, reject) => (crashed = reject));
  finished.catch(() => {});
  o.scorer.failed?.catch((err: unknown) => crashed(err));

  const ops = createOpsServer({
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    registry,
    isReady: () => consumer !== undefined && !abort.signal.aborted,
  });

  const stop = once(async () => {
    // First, like the Kafka service: publish backoffs stop waiting, so a dead stream cannot outlast the deadline.
    abort.abort();
    await runCleanups(
      [
        { name: 'stop consuming (finish, checkpoint, release leases)', run: () => consumer?.stop() },
        { name: 'stop publisher', run: () => publisher.stop() },
        { name: 'close AWS clients', run: () => (kinesis.destroy(), dynamo.destroy()) },
        { name: 'release model', run: () => o.scorer.dispose() },
        { name: 'close ops server', run: () => ops.stop() },
      ],
      logger,
    );
  });

  return {
    ops,
    registry,
    finished,
    isReady: () => consumer !== undefined,
    consumer: () => consumer,
    stop,
    start: once(async () => {
      await ops.start();
      if (config.CREATE_RESOURCES) {
        const created = await ensureStreams(kinesis, [
          { stream: config.INPUT_STREAM },
          { stream: config.OUTPUT_STREAM },
          { stream: config.DEAD_LETTER_STREAM },
        ]);
        if (created.length) logger.info({ created }, 'created streams');
        await leases.ensure();
      }
      consumer = await runKinesisConsumer({
        kinesis,
        leases,
        publisher,
        scorer: o.scorer,
        logger,
        metrics,
        kinesisMetrics,
        inputStream: config.INPUT_STREAM,
        outputTopic: config.OUTPUT_STREAM,
        deadLetterTopic: config.DEAD_LETTER_STREAM,
        consumerName: config.APPLICATION_NAME,
        workerId: config.WORKER_ID,
        leaseDurationMs: config.LEASE_DURATION_MS,
        shardSyncMs: config.SHARD_SYNC_MS,
        idlePollMs: config.IDLE_POLL_MS,
        maxRecordsPerGet: config.MAX_RECORDS_PER_GET,
        chunkSize: config.BATCH_SIZE,
        initialPosition: config.INITIAL_POSITION,
      });
      consumer.finished.catch((err: unknown) => crashed(err));
      logger.info(
        { model: o.scorer.model.name, version: o.scorer.model.version, input: config.INPUT_STREAM },
        'consuming from Kinesis',
      );
    }),
  };
}
