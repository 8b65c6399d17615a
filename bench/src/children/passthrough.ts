/**
 * The pass-through limit: ridestream's consumer loop with the scoring taken out. Same kafkajs client and publisher
 * (libs/kafka), same consumer settings and `run` options as libs/kafka's consumer, same chunking: for each chunk of
 * BATCH_SIZE records, produce the same bytes to the output topic (acks=all, idempotent), resolve the offset, commit.
 * Serves /readyz and /metrics (Node default metrics, event-loop lag included) like the real consumers.
 */
import { createKafka, createPublisher } from '@ridestream/kafka';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { createOpsServer } from '@ridestream/ops-http';
import { createLogger, createMetricsRegistry, once, runCleanups, runService, type Service } from '@ridestream/runtime';
import type { EachBatchPayload } from 'kafkajs';
import { requireEnv } from './env';

const env = requireEnv(process.env, [
  'KAFKA_BROKERS',
  'INPUT_TOPIC',
  'OUTPUT_TOPIC',
  'CONSUMER_GROUP',
  'HTTP_PORT',
  'BATCH_SIZE',
] as const);
const chunkSize = Number(env.BATCH_SIZE);
// Follows the consumers' PARTITIONS_CONCURRENTLY (default 3), so an experiment changes both alike.
const partitionsConsumedConcurrently = Number(process.env.PARTITIONS_CONCURRENTLY || '3');
const logger = createLogger({ name: 'passthrough', level: 'info' });
const registry = createMetricsRegistry({ consumer: env.CONSUMER_GROUP });
const kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: env.CONSUMER_GROUP }, logger);
// The settings of createKafkaConsumerService (libs/kafka/src/consumer-service.ts), with the same defaults as its
// config (FETCH_MAX_BYTES_PER_PARTITION 256 KiB), so that an experiment changes both alike.
const consumer = kafka.consumer({
  groupId: env.CONSUMER_GROUP,
  allowAutoTopicCreation: false,
  maxBytesPerPartition: Number(process.env.FETCH_MAX_BYTES_PER_PARTITION || 256 * 1024),
  sessionTimeout: 30_000,
});
let joined = false;
consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));

// PASSTHROUGH_TRACE=1 (experiments): request durations by API, printed as one JSON line at stop.
const trace = new Map<string, number[]>();
const note = (key: string, ms: number) => {
  const list = trace.get(key) ?? [];
  if (list.length < 100_000) list.push(ms);
  trace.set(key, list);
};
if (process.env.PASSTHROUGH_TRACE) {
  consumer.on(consumer.events.REQUEST, (e) => note(`consumer ${e.payload.apiName}`, e.payload.duration));
  consumer.on(consumer.events.FETCH, (e) => note('consumer fetch (incl. wait)', e.payload.duration));
}
const publisher = createPublisher(kafka, {
  onProducer: (producer) => {
    if (process.env.PASSTHROUGH_TRACE)
      producer.on(producer.events.REQUEST, (e) => note(`producer ${e.payload.apiName}`, e.payload.duration));
  },
});
const printTrace = () => {
  if (!process.env.PASSTHROUGH_TRACE) return;
  const summary = Object.fromEntries(
    [...trace].map(([k, v]) => {
      const s = [...v].sort((a, b) => a - b);
      const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
      return [k, { n: s.length, p50: at(0.5), p99: at(0.99), sum: Math.round(s.reduce((a, b) => a + b, 0)) }];
    }),
  );
  console.log(JSON.stringify({ event: 'trace', summary }));
};
const ops = createOpsServer({ host: '127.0.0.1', port: Number(env.HTTP_PORT), registry, isReady: () => joined });

async function eachBatch(payload: EachBatchPayload): Promise<void> {
  const { batch } = payload;
  for (let start = 0; start < batch.messages.length; start += chunkSize) {
    if (!payload.isRunning() || payload.isStale()) break;
    const chunk = batch.messages.slice(start, start + chunkSize);
    if (process.env.PASSTHROUGH_TRACE) note('chunk size', chunk.length);
    const out: OutgoingMessage[] = chunk.map((m) => ({
      stream: env.OUTPUT_TOPIC,
      key: m.key ? m.key.toString('utf8') : '',
      value: m.value ?? Buffer.alloc(0),
    }));
    await publisher.send(out);
    payload.resolveOffset(chunk[chunk.length - 1]!.offset);
    await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
  }
}

const service: Service = {
  start: once(async () => {
    await ops.start();
    await publisher.start();
    await consumer.connect();
    await consumer.subscribe({ topic: env.INPUT_TOPIC, fromBeginning: true });
    // The run options of runKafkaConsumer (libs/kafka/src/consumer.ts).
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently,
      eachBatch,
    });
  }),
  stop: once(async () => {
    await runCleanups(
      [
        { name: 'stop consuming', run: () => consumer.stop() },
        { name: 'disconnect consumer', run: () => consumer.disconnect() },
        { name: 'flush and disconnect publisher', run: () => publisher.stop() },
        { name: 'close ops server', run: () => ops.stop() },
      ],
      logger,
    );
    printTrace();
  }),
};

void runService(service, { logger, shutdownTimeoutMs: 20_000 });
