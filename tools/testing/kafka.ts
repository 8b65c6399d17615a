/**
 * Helpers for integration tests against the real broker: every test gets its own topics and group, and waits on
 * conditions, never on fixed sleeps.
 */
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@ridestream/runtime';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { inject } from 'vitest';
import './provided-context';
import { waitFor } from './wait';

export function brokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: `test-${randomUUID().slice(0, 8)}`, brokers: brokers(), logLevel: logLevel.NOTHING });
}

/** A name no other test uses: `<prefix>-<uuid>`. */
export const unique = (prefix: string) => `${prefix}-${randomUUID()}`;

/** Creates fresh topics (3 partitions by default) and returns their names in order. */
export async function freshTopics<const P extends readonly string[]>(
  kafka: Kafka,
  prefixes: P,
  numPartitions = 3,
): Promise<{ [K in keyof P]: string }> {
  const names = prefixes.map(unique) as { [K in keyof P]: string };
  const admin = kafka.admin();
  await admin.connect();
  try {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: names.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
      });
    } catch (err) {
      // kafkajs waits for the leaders by reading metadata and retries only LEADER_NOT_AVAILABLE; right after the
      // creation the broker can still answer UNKNOWN_TOPIC_OR_PARTITION (it failed a CI run once). The topics are
      // created by then: wait for their leaders here instead.
      if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
      await waitFor(
        async () => {
          try {
            const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
            return topics.every(
              (t) => t.partitions.length === numPartitions && t.partitions.every((p) => p.leader >= 0),
            );
          } catch {
            return false;
          }
        },
        `leaders of ${names.join(', ')}`,
        30_000,
      );
    }
  } finally {
    await admin.disconnect();
  }
  return names;
}

export interface Collector {
  /** The topic it reads (for failure messages). */
  readonly topic: string;
  readonly messages: KafkaMessage[];
  /** The message keys so far, as strings (ride ids: every ridestream topic is keyed by ride id). */
  keys(): string[];
  /**
   * Resolves once everything on the topic when it was called has been read (its end offsets then), e.g. to say
   * "no dead letter" only after the whole dead-letter topic was read. For topics written without transactions:
   * a transaction's commit marker takes an offset no message is read at.
   */
  readToEnd(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Reads a topic from the beginning into memory with its own group, until `stop()`. */
export async function collect(kafka: Kafka, topic: string): Promise<Collector> {
  // A short fetch wait: kafkajs' default 5 s makes every disconnect() wait that long.
  const consumer = kafka.consumer({
    groupId: unique('collector'),
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
  });
  const messages: KafkaMessage[] = [];
  const next = new Map<number, bigint>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      messages.push(message);
      next.set(partition, BigInt(message.offset) + 1n);
    },
  });
  return {
    topic,
    messages,
    keys: () => messages.map((m) => String(m.key)),
    async readToEnd(timeoutMs = 60_000) {
      const admin = kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
      const behind = () =>
        ends.filter((p) => BigInt(p.high) > BigInt(p.low) && (next.get(p.partition) ?? 0n) < BigInt(p.high));
      await waitFor(
        () => behind().length === 0,
        () => `${topic} read to its end (behind on partitions ${behind().map((p) => `${p.partition}@${p.high}`)})`,
        timeoutMs,
      );
    },
    stop: () => consumer.disconnect(),
  };
}

/** The root logger for services under test: silent, so test output stays readable. */
export const testLogger = () => silentLogger();
