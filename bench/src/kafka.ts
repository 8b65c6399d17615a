/**
 * The bench's own Kafka plumbing: fresh topics, prefill, counting what a topic holds. It is the load generator and
 * the observer, never the system under test, so it uses plain kafkajs settings tuned for speed.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import { sleep } from './log';

export interface BenchKafka {
  readonly brokers: string;
  readonly kafka: Kafka;
}

export interface Payload {
  readonly key: string;
  readonly value: Buffer;
}

export function benchKafka(brokers: string): BenchKafka {
  const kafka = new Kafka({
    clientId: `bench-${randomUUID().slice(0, 8)}`,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  return { brokers, kafka };
}

/**
 * An admin client for one job. Not shared: a kafkajs client keeps every topic it looked at in its metadata
 * requests, and once one of those is deleted (or being deleted) all its later metadata requests fail with
 * UNKNOWN_TOPIC_OR_PARTITION. Connecting costs a few ms.
 */
export async function withAdmin<T>(bench: BenchKafka, job: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = bench.kafka.admin();
  await admin.connect();
  try {
    return await job(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A producer for one job. Not shared across jobs: kafkajs never forgets a topic it produced to, and once the bench
 * deletes that topic every later metadata request of the client fails with UNKNOWN_TOPIC_OR_PARTITION.
 */
export async function withProducer<T>(bench: BenchKafka, job: (producer: Producer) => Promise<T>): Promise<T> {
  // The murmur2 partitioner, as our producer: a ride id lands on the same partition whichever client sent it.
  const producer = bench.kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    return await job(producer);
  } finally {
    await producer.disconnect();
  }
}

/** `bench-<what>-<run>-<uuid8>`: names no other run (or test session on a shared broker) uses. */
export const uniqueName = (what: string) => `bench-${what}-${randomUUID().slice(0, 8)}`;

/**
 * Creates topics and waits until every partition has a leader that answers for it. `waitForLeaders: true` fails
 * now and then on KRaft (kafkajs #1563, see tools/kafka/README.md), and a leader in the metadata may still answer
 * "does not host this topic-partition" for a moment, so this polls the metadata and then ListOffsets (served by the
 * partition leader itself), for at most 30 s.
 */
export function createTopics(bench: BenchKafka, topics: readonly string[], numPartitions = 3): Promise<void> {
  return withAdmin(bench, (admin) => createAndWait(admin, topics, numPartitions));
}

async function createAndWait(admin: Admin, topics: readonly string[], numPartitions: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: false,
    topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (
        meta.length === topics.length &&
        meta.every((t) => t.partitions.length === numPartitions && t.partitions.every((p) => p.leader >= 0))
      ) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
    } catch {
      // metadata not propagated yet
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after 30 s`);
    await sleep(100);
  }
}

/** Best effort: a benchmark leaves no gigabytes behind on a shared broker. */
export async function deleteTopics(bench: BenchKafka, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  try {
    await withAdmin(bench, (admin) => admin.deleteTopics({ topics: [...topics], timeout: 10_000 }));
  } catch {
    // already gone, or the broker is busy: the names are unique, nothing reuses them
  }
}

/** Records in a topic: the sum of (high watermark - low watermark) over its partitions. */
export async function topicCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
}

/**
 * Writes `payloads` as fast as the broker takes them: requests of `chunk` records, `inFlight` at a time, acks=all.
 * Returns records/s.
 */
export async function prefill(
  producer: Producer,
  topic: string,
  payloads: readonly Payload[],
  { chunk = 2000, inFlight = 4 } = {},
): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) {
      const start = next;
      next += chunk;
      await producer.send({ topic, acks: -1, messages: payloads.slice(start, start + chunk) as Payload[] });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return payloads.length / ((performance.now() - t0) / 1000);
}
