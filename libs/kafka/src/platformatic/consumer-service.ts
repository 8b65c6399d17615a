import { Admin, Consumer } from '@platformatic/kafka';
import {
  createStreamConsumerService,
  type StreamConsumerService,
  type StreamSink,
  type StreamSource,
} from '@ridestream/stream-core';
import { kafkaConnectionFromEnv, type KafkaConnection } from '../client';
import type { KafkaConsumerServiceOptions } from '../consumer-service';
import { KAFKA_POSITION_ATTRIBUTE } from '../consumer';
import { platformaticOptions } from './connection';
import { toKafkaTransportError } from './errors';
import { createPlatformaticPublisher } from './publisher';
import { startPlatformaticRunner, type PlatformaticRunner } from './runner';
import { createPlatformaticTransactionalPublisher, type PlatformaticTransactionalPublisher } from './transactional';

/** Creates the topics that do not exist yet (3 partitions, the broker's replication), like `ensureTopics`. */
async function ensurePlatformaticTopics(connection: KafkaConnection, topics: readonly string[]): Promise<string[]> {
  const admin = new Admin(platformaticOptions(connection));
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ topics: missing, partitions: 3, replicas: -1 });
    return missing;
  } catch (cause) {
    throw toKafkaTransportError('BROKERS_UNREACHABLE', 'cannot create the topics', cause);
  } finally {
    await admin.close();
  }
}

/**
 * The Kafka consumer service on @platformatic/kafka (`KAFKA_CLIENT=platformatic`): the same transport-neutral service,
 * config, metrics and guarantees as the kafkajs one (`createKafkaConsumerService`), on a client that costs about half
 * the CPU per record. Its source is a consumer group read through one messages stream (see runner.ts), its sink an
 * idempotent producer; with EXACTLY_ONCE one transactional producer per input partition.
 */
export function createPlatformaticConsumerService(o: KafkaConsumerServiceOptions): StreamConsumerService {
  const { config } = o;
  const group = config.CONSUMER_GROUP;
  const connection = kafkaConnectionFromEnv(config, group);
  const shadowTopic = config.SHADOW_OUTPUT_TOPIC ?? `${config.OUTPUT_TOPIC}.shadow`;
  const consumer = new Consumer({
    ...platformaticOptions(connection),
    groupId: group,
    sessionTimeout: config.SESSION_TIMEOUT_MS,
    // Kafka's default is the session timeout; the client's own (102 s) would hold a rebalance that long.
    rebalanceTimeout: config.SESSION_TIMEOUT_MS,
    heartbeatInterval: Math.min(3000, Math.floor(config.SESSION_TIMEOUT_MS / 3)),
    maxBytesPerPartition: config.FETCH_MAX_BYTES_PER_PARTITION,
    minBytes: config.FETCH_MIN_BYTES,
    maxWaitTime: config.FETCH_MAX_WAIT_MS,
    autocommit: false,
  });
  const txProducers = new Map<number, Promise<PlatformaticTransactionalPublisher>>();
  const producerFor = (partition: number) => {
    let p = txProducers.get(partition);
    if (!p) {
      // The same ids as on kafkajs: switching clients keeps fencing the other's zombies.
      const transactionalId = `${group}.${config.INPUT_TOPIC}.${partition}`;
      p = Promise.resolve(
        createPlatformaticTransactionalPublisher(connection, { transactionalId, consumer, logger: o.logger }),
      );
      txProducers.set(partition, p);
    }
    return p;
  };

  let admin: Admin | undefined;
  const stableOffsets = async (partitions: readonly number[]) => {
    admin ??= new Admin(platformaticOptions(connection));
    // UNSTABLE_OFFSET_COMMIT (a transaction still pending) is retriable: the client asks again until it is not.
    const groups = await admin.listConsumerGroupOffsets({
      groups: [{ groupId: group, topics: [{ name: config.INPUT_TOPIC, partitionIndexes: [...partitions] }] }],
      requireStable: true,
    });
    const out = new Map<number, bigint>();
    for (const t of groups[0]?.topics ?? [])
      for (const p of t.partitions) if (p.committedOffset >= 0n) out.set(p.partitionIndex, p.committedOffset);
    return out;
  };

  return createStreamConsumerService({
    name: group,
    scorer: o.scorer,
    logger: o.logger,
    logBindings: { client: 'platformatic' },
    outputStream: config.OUTPUT_TOPIC,
    deadLetterStream: config.DEAD_LETTER_TOPIC,
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    tracing: { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, positionAttribute: KAFKA_POSITION_ATTRIBUTE },
    describe: { input: config.INPUT_TOPIC, output: config.OUTPUT_TOPIC, ...(o.shadow ? { shadow: shadowTopic } : {}) },
    shadow: o.shadow && { scorer: o.shadow, outputStream: shadowTopic },
    sink: (): StreamSink => {
      const publisher = createPlatformaticPublisher(connection);
      return {
        start: () => publisher.start(),
        publish: (messages) => publisher.send(messages),
        stopSteps: [
          { name: 'flush and close publisher', run: () => publisher.stop() },
          {
            name: 'close transactional producers',
            run: () => Promise.all([...txProducers.values()].map(async (p) => (await p).stop())),
          },
        ],
      };
    },
    source: ({ logger, metrics }): StreamSource => {
      let joined = false;
      let runner: PlatformaticRunner | undefined;
      let crashed: (err: unknown) => void = () => {};
      const finished = new Promise<void>((_, reject) => (crashed = reject));
      finished.catch(() => {});
      consumer.on('consumer:group:join', () => {
        joined = true;
        metrics.rebalances.inc();
      });
      consumer.on('consumer:lag', (lag) => {
        for (const [topic, partitions] of lag)
          if (topic === config.INPUT_TOPIC)
            partitions.forEach(
              (l, partition) => l >= 0n && metrics.lag.set({ partition: String(partition) }, Number(l)),
            );
      });
      // The client emits 'error' when rejoining the group failed for good: without a listener it would throw.
      consumer.on('error', (err: unknown) => crashed(err));
      return {
        finished,
        isReady: () => joined,
        start: async (pipeline) => {
          runner = await startPlatformaticRunner({
            consumer,
            pipeline,
            inputTopic: config.INPUT_TOPIC,
            chunkSize: config.BATCH_SIZE,
            partitionsConcurrently: config.PARTITIONS_CONCURRENTLY,
            exactlyOnce: config.EXACTLY_ONCE ? { producerFor, stableOffsets } : undefined,
          });
          runner.done.catch((err: unknown) => {
            logger.error({ err }, 'reading the input failed for good');
            crashed(err);
          });
          consumer.startLagMonitoring({ topics: [config.INPUT_TOPIC] }, 5000);
        },
        stopSteps: [
          { name: 'stop consuming (finish and commit the records in hand)', run: async () => runner?.stop() },
          {
            name: 'leave the group and close the consumer',
            run: async () => {
              consumer.stopLagMonitoring();
              await consumer.close(true);
            },
          },
          { name: 'close the admin client', run: async () => admin?.close() },
        ],
      };
    },
    ensureResources: config.CREATE_TOPICS
      ? () =>
          ensurePlatformaticTopics(connection, [
            config.INPUT_TOPIC,
            config.OUTPUT_TOPIC,
            config.DEAD_LETTER_TOPIC,
            ...(o.shadow ? [shadowTopic] : []),
          ])
      : undefined,
  });
}
