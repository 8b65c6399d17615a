import { retrySettings, type Logger } from '@ridestream/runtime';
import {
  createStreamConsumerService,
  type Scorer,
  type StreamConsumerService,
  type StreamSink,
  type StreamSource,
} from '@ridestream/stream-core';
import type { Admin } from 'kafkajs';
import { createKafka, kafkaConnectionFromEnv } from './client';
import type { KafkaConsumerEnv } from './consumer-config';
import { KAFKA_POSITION_ATTRIBUTE, runKafkaConsumer } from './consumer';
import { createPublisher } from './publisher';
import { createPlatformaticConsumerService } from './platformatic/consumer-service';
import { ensureTopics } from './topics';
import { createTransactionalPublisher, type TransactionalPublisher } from './transactional';

export type KafkaConsumerService = StreamConsumerService;

export interface KafkaConsumerServiceOptions {
  readonly config: KafkaConsumerEnv;
  /** Owned by the service from here on: `stop()` disposes it. */
  readonly scorer: Scorer;
  /** A challenger scored beside `scorer` to SHADOW_OUTPUT_TOPIC (owned by the service too). */
  readonly shadow?: Scorer;
  readonly logger: Logger;
}

/**
 * A scoring consumer on Kafka: the transport-neutral service (`createStreamConsumerService`) with, by default
 * (`KAFKA_CLIENT=kafkajs`), a kafkajs consumer group as its source and an idempotent producer as its sink (in
 * exactly-once mode, one transactional producer per input partition); `KAFKA_CLIENT=platformatic` hands over to
 * `createPlatformaticConsumerService`. `stop()` stops fetching, lets the batch in hand finish and commit,
 * disconnects, flushes the producers, then the core releases the model.
 */
export function createKafkaConsumerService(o: KafkaConsumerServiceOptions): KafkaConsumerService {
  if (o.config.KAFKA_CLIENT === 'platformatic') return createPlatformaticConsumerService(o);
  const { config } = o;
  const group = config.CONSUMER_GROUP;
  // The client logs through the service's logger, created by the core: bound once the core hands it over.
  let kafka: ReturnType<typeof createKafka> | undefined;
  const kafkaOf = (logger: Logger) => (kafka ??= createKafka(kafkaConnectionFromEnv(config, group), logger));
  // Exactly-once: one transactional producer per input partition this instance has owned (see transactional.ts).
  const txProducers = new Map<string, Promise<TransactionalPublisher>>();
  const shadowTopic = config.SHADOW_OUTPUT_TOPIC ?? `${config.OUTPUT_TOPIC}.shadow`;

  return createStreamConsumerService({
    name: group,
    scorer: o.scorer,
    logger: o.logger,
    outputStream: config.OUTPUT_TOPIC,
    deadLetterStream: config.DEAD_LETTER_TOPIC,
    publishRetry: retrySettings(config, 'PUBLISH'),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    tracing: { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, positionAttribute: KAFKA_POSITION_ATTRIBUTE },
    describe: { input: config.INPUT_TOPIC, output: config.OUTPUT_TOPIC, ...(o.shadow ? { shadow: shadowTopic } : {}) },
    shadow: o.shadow && { scorer: o.shadow, outputStream: shadowTopic },
    sink: ({ logger }): StreamSink => {
      const publisher = createPublisher(kafkaOf(logger), {});
      return {
        start: () => publisher.start(),
        publish: (messages) => publisher.send(messages),
        stopSteps: [
          { name: 'flush and disconnect publisher', run: () => publisher.stop() },
          {
            name: 'disconnect transactional producers',
            run: () => Promise.all([...txProducers.values()].map(async (p) => (await p).stop())),
          },
        ],
      };
    },
    source: ({ logger, metrics }): StreamSource => {
      const client = kafkaOf(logger);
      const consumer = client.consumer({
        groupId: group,
        allowAutoTopicCreation: false,
        maxBytesPerPartition: config.FETCH_MAX_BYTES_PER_PARTITION,
        minBytes: config.FETCH_MIN_BYTES,
        maxWaitTimeInMs: config.FETCH_MAX_WAIT_MS,
        sessionTimeout: config.SESSION_TIMEOUT_MS,
      });
      const producerFor = async (topic: string, partition: number, fresh = false) => {
        const id = `${group}.${topic}.${partition}`;
        let p = txProducers.get(id);
        if (p && fresh) {
          txProducers.delete(id);
          await (await p.catch(() => undefined))?.stop();
          p = undefined;
        }
        if (!p) {
          const tx = createTransactionalPublisher(client, { transactionalId: id, logger });
          p = tx.start().then(() => tx);
          txProducers.set(id, p);
          // A failed start is not cached: the next batch tries again.
          p.catch(() => txProducers.delete(id));
        }
        return p;
      };
      let admin: Promise<Admin> | undefined;
      const committedOffset = async (topic: string, partition: number): Promise<string | null> => {
        admin ??= (async () => {
          const a = client.admin();
          await a.connect();
          return a;
        })();
        admin.catch(() => (admin = undefined));
        const [offsets] = await (await admin).fetchOffsets({ groupId: group, topics: [topic] });
        const committed = offsets?.partitions.find((x) => x.partition === partition)?.offset;
        return committed === undefined || committed === '-1' ? null : committed;
      };
      let joined = false;
      let crashed: (err: unknown) => void = () => {};
      const finished = new Promise<void>((_, reject) => (crashed = reject));
      finished.catch(() => {});
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
        metrics.rebalances.inc();
      });
      consumer.on(consumer.events.CRASH, (e) => {
        // kafkajs restarts by itself after retriable errors; `restart: false` means it gave up: exit non-zero.
        if (!e.payload.restart) crashed(e.payload.error);
      });
      return {
        finished,
        isReady: () => joined,
        start: async (pipeline) => {
          await consumer.connect();
          await runKafkaConsumer({
            consumer,
            pipeline,
            inputTopic: config.INPUT_TOPIC,
            chunkSize: config.BATCH_SIZE,
            partitionsConsumedConcurrently: config.PARTITIONS_CONCURRENTLY,
            exactlyOnce: config.EXACTLY_ONCE ? { groupId: group, producerFor, committedOffset } : undefined,
          });
        },
        stopSteps: [
          { name: 'stop consuming (finish and commit the batch in hand)', run: () => consumer.stop() },
          { name: 'disconnect consumer', run: () => consumer.disconnect() },
          { name: 'disconnect admin', run: async () => (await admin?.catch(() => undefined))?.disconnect() },
        ],
      };
    },
    ensureResources: config.CREATE_TOPICS
      ? () =>
          ensureTopics(kafkaOf(o.logger), [
            { topic: config.INPUT_TOPIC },
            { topic: config.OUTPUT_TOPIC },
            { topic: config.DEAD_LETTER_TOPIC },
            ...(o.shadow ? [{ topic: shadowTopic }] : []),
          ])
      : undefined,
  });
}
