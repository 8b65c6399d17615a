/**
 * The pass-through limit on another Kafka client: the loop of `passthrough.ts` (chunks of BATCH_SIZE records from the
 * input, the same bytes produced to the output with acks=all and idempotence, then the chunk's offsets committed)
 * on @platformatic/kafka 1.35.0 (pure JavaScript, the last release for Node 20) instead of kafkajs. Same fetch size
 * per partition, session timeout and ops routes. It measures what the consumers' ceiling would be on that client,
 * before anyone ports libs/kafka and the runner to it.
 */
import { Consumer, Producer, ProduceAcks, type Message } from '@platformatic/kafka';
import { createOpsServer } from '@ridestream/ops-http';
import { createLogger, createMetricsRegistry, once, runCleanups, runService } from '@ridestream/runtime';
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
const brokers = env.KAFKA_BROKERS.split(',');
const logger = createLogger({ name: 'passthrough-platformatic', level: 'info' });
const registry = createMetricsRegistry({ consumer: env.CONSUMER_GROUP });
const producer = new Producer({
  clientId: `${env.CONSUMER_GROUP}-producer`,
  bootstrapBrokers: brokers,
  idempotent: true,
});
const consumer = new Consumer({
  clientId: env.CONSUMER_GROUP,
  groupId: env.CONSUMER_GROUP,
  bootstrapBrokers: brokers,
  sessionTimeout: 30_000,
  // The consumers' FETCH_MAX_BYTES_PER_PARTITION default (libs/kafka/src/consumer-config.ts).
  maxBytesPerPartition: Number(process.env.FETCH_MAX_BYTES_PER_PARTITION || 256 * 1024),
});
let joined = false;
const ops = createOpsServer({ host: '127.0.0.1', port: Number(env.HTTP_PORT), registry, isReady: () => joined });
let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined;
let loop: Promise<void> | undefined;

/** Produces a chunk's bytes, then commits the last offset of each partition in it. */
async function passChunk(chunk: Message[]): Promise<void> {
  await producer.send({
    messages: chunk.map((m) => ({ topic: env.OUTPUT_TOPIC, key: m.key, value: m.value })),
    acks: ProduceAcks.ALL,
  });
  const last = new Map<number, Message>();
  for (const m of chunk) last.set(m.partition, m);
  await Promise.all([...last.values()].map((m) => m.commit()));
}

async function run(s: NonNullable<typeof stream>): Promise<void> {
  let chunk: Message[] = [];
  // Like kafkajs' eachBatch: a chunk is full, or the fetched messages are all in (nothing buffered in the stream).
  for await (const message of s) {
    chunk.push(message as Message);
    if (chunk.length >= chunkSize || s.readableLength === 0) {
      const full = chunk;
      chunk = [];
      await passChunk(full);
    }
  }
  if (chunk.length > 0) await passChunk(chunk);
}

void runService(
  {
    start: once(async () => {
      await ops.start();
      stream = await consumer.consume({
        topics: [env.INPUT_TOPIC],
        autocommit: false,
        mode: 'committed',
        fallbackMode: 'earliest',
      });
      joined = true;
      loop = run(stream).catch((err: unknown) => logger.error({ err }, 'pass-through loop failed'));
    }),
    stop: once(async () => {
      await runCleanups(
        [
          { name: 'close stream', run: async () => void (await stream?.close()) },
          { name: 'finish loop', run: async () => void (await loop) },
          { name: 'close consumer', run: () => consumer.close(true) },
          { name: 'close producer', run: () => producer.close() },
          { name: 'close ops server', run: () => ops.stop() },
        ],
        logger,
      );
    }),
  },
  { logger, shutdownTimeoutMs: 20_000 },
);
