import {
  createKafka,
  createPublisher,
  createTransactionalPublisher,
  ensureTopics,
  kafkaConnectionFromEnv,
  type TransactionalPublisher,
} from '@ridestream/kafka';
import {
  createMetricsRegistry,
  createTracing,
  createOpsServer,
  once,
  runCleanups,
  type Logger,
  type OpsServer,
  type Registry,
  type Service,
} from '@ridestream/runtime';
import type { ConsumerEnv } from './config';
import { runKafkaConsumer } from './kafka-runner';
import type { Scorer } from './score-batch';
import { createConsumerMetrics } from './metrics';

export interface ConsumerService extends Service {
  readonly ops: OpsServer;
  readonly registry: Registry;
  isReady(): boolean;
}

export interface ConsumerServiceOptions {
  readonly config: ConsumerEnv;
  /** Owned by the service from here on: `stop()` disposes it. */
  readonly scorer: Scorer;
  readonly logger: Logger;
}

/**
 * A scoring consumer: reads ride events, scores them with `model`, publishes predictions and dead letters, and
 * serves /healthz, /readyz and /metrics. `stop()` stops fetching, lets the batch in hand finish and commit,
 * flushes, disconnects and releases the model, each step in its own try/catch.
 */
export function createConsumerService(o: ConsumerServiceOptions): ConsumerService {
  const { config } = o;
  const logger = o.logger.child({ component: `${o.scorer.kind}-consumer` });
  const registry = createMetricsRegistry({ consumer: config.CONSUMER_GROUP });
  const metrics = createConsumerMetrics(registry);
  const kafka = createKafka(kafkaConnectionFromEnv(config, config.CONSUMER_GROUP), logger);
  const publisher = createPublisher(kafka, { logger, idempotent: true });
  const consumer = kafka.consumer({
    groupId: config.CONSUMER_GROUP,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: config.FETCH_MAX_BYTES_PER_PARTITION,
    sessionTimeout: config.SESSION_TIMEOUT_MS,
  });
  const tracing = createTracing({
    serviceName: config.CONSUMER_GROUP,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const abort = new AbortController();
  // Exactly-once: one transactional producer per input partition this instance has owned (see libs/kafka).
  const txProducers = new Map<string, Promise<TransactionalPublisher>>();
  const producerFor = (topic: string, partition: number) => {
    const id = `${config.CONSUMER_GROUP}.${topic}.${partition}`;
    let p = txProducers.get(id);
    if (!p) {
      const tx = createTransactionalPublisher(kafka, { transactionalId: id, logger });
      p = tx.start().then(() => tx);
      txProducers.set(id, p);
    }
    return p;
  };
  let joined = false;
  let crashed: (err: unknown) => void = () => {};
  const finished = new Promise<void>((_, reject) => (crashed = reject));
  // Unhandled until someone listens; runService does.
  finished.catch(() => {});
  // A dead scoring worker cannot be replaced in place: exit non-zero and let the orchestrator restart us.
  o.scorer.failed?.catch((err: unknown) => crashed(err));

  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    metrics.rebalances.inc();
  });
  consumer.on(consumer.events.CRASH, (e) => {
    // kafkajs restarts by itself after retriable errors; `restart: false` means it gave up: exit non-zero.
    if (!e.payload.restart) crashed(e.payload.error);
  });

  const ops = createOpsServer({
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    registry,
    isReady: () => joined && !abort.signal.aborted,
  });

  const stop = once(async () => {
    abort.abort();
    await runCleanups(
      [
        { name: 'stop consuming (finish and commit the batch in hand)', run: () => consumer.stop() },
        { name: 'disconnect consumer', run: () => consumer.disconnect() },
        { name: 'flush and disconnect publisher', run: () => publisher.stop() },
        {
          name: 'disconnect transactional producers',
          run: () => Promise.all([...txProducers.values()].map(async (p) => (await p).stop())),
        },
        { name: 'release model', run: () => o.scorer.dispose() },
        { name: 'flush traces', run: () => tracing.shutdown() },
        { name: 'close ops server', run: () => ops.stop() },
      ],
      logger,
    );
  });

  return {
    ops,
    registry,
    finished,
    isReady: () => joined,
    stop,
    start: once(async () => {
      await ops.start();
      if (config.CREATE_TOPICS) {
        const created = await ensureTopics(kafka, [
          { topic: config.INPUT_TOPIC },
          { topic: config.OUTPUT_TOPIC },
          { topic: config.DEAD_LETTER_TOPIC },
        ]);
        if (created.length) logger.info({ created }, 'created topics');
      }
      await publisher.start();
      await consumer.connect();
      await runKafkaConsumer({
        consumer,
        publisher,
        scorer: o.scorer,
        logger,
        metrics,
        inputTopic: config.INPUT_TOPIC,
        outputTopic: config.OUTPUT_TOPIC,
        deadLetterTopic: config.DEAD_LETTER_TOPIC,
        consumerName: config.CONSUMER_GROUP,
        chunkSize: config.BATCH_SIZE,
        partitionsConsumedConcurrently: config.PARTITIONS_CONCURRENTLY,
        signal: abort.signal,
        tracer: tracing.tracer,
        exactlyOnce: config.EXACTLY_ONCE ? { groupId: config.CONSUMER_GROUP, producerFor } : undefined,
      });
      logger.info(
        {
          model: o.scorer.model.name,
          version: o.scorer.model.version,
          input: config.INPUT_TOPIC,
          output: config.OUTPUT_TOPIC,
        },
        'consuming',
      );
    }),
  };
}
