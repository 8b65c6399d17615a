/**
 * kafkajs 2.2.4 against the pinned Kafka broker (tools/kafka/pom.xml): the protocol paths
 * ridestream relies on. Needs Java + Maven, or KAFKA_BROKERS pointing at a running cluster.
 *   npx vitest run tools/kafka/test
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureKafka, isKafkaToolError, stopKafka } from '../src/index';
import { waitFor } from '@ridestream/testing';

const TEST_TIMEOUT_MS = 60_000;
const WAIT_MS = 30_000;

let brokers = '';
let startedBroker = false;

/** Cleanups of the current test, run newest first in afterEach, each on its own. */
const cleanups: Array<() => Promise<unknown>> = [];

function kafka() {
  return new Kafka({
    clientId: 'kafka-int-test',
    brokers: brokers.split(','),
    // Retriable errors (coordinator loading, leader moving) are logged at ERROR although
    // kafkajs retries them; failures still surface as rejected promises.
    logLevel: logLevel.NOTHING,
  });
}

async function connected<T extends Admin | Producer | Consumer>(client: T): Promise<T> {
  cleanups.push(() => client.disconnect());
  await client.connect();
  return client;
}

/**
 * Creates a topic and waits until every partition has a leader. Not `waitForLeaders: true`:
 * on KRaft the broker's metadata can lag the controller's reply for a moment, the Metadata
 * call then answers UNKNOWN_TOPIC_OR_PARTITION, and kafkajs only retries LEADER_NOT_AVAILABLE
 * there, so createTopics fails now and then (tulios/kafkajs#1563).
 */
async function createTopic(admin: Admin, numPartitions: number): Promise<string> {
  const topic = `test-${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: false });
  cleanups.push(() => admin.deleteTopics({ topics: [topic] }));
  await waitFor(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      const partitions = metadata?.topics[0]?.partitions ?? [];
      return partitions.length === numPartitions && partitions.every((p) => p.leader >= 0);
    },
    `leaders for ${topic}`,
    WAIT_MS,
  );
  return topic;
}

const groupId = () => `test-group-${randomUUID()}`;

/**
 * A short fetch long-poll: kafkajs' disconnect() waits for the in-flight fetch, which with the
 * default maxWaitTimeInMs (5 s) adds ~5 s per consumer to every test's cleanup.
 */
function consumer(options: { groupId: string; readUncommitted?: boolean }) {
  return kafka().consumer({ maxWaitTimeInMs: 100, ...options });
}

function producer(options: Parameters<ReturnType<typeof kafka>['producer']>[0] = {}) {
  return kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner, ...options });
}

/** Starts `consumer` on `topic` and collects every message value it receives. */
async function collect(consumer: Consumer, topic: string, into: string[]): Promise<void> {
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }: { message: KafkaMessage }) => {
      into.push(message.value?.toString() ?? '');
    },
  });
}

beforeAll(async () => {
  ({ brokers, started: startedBroker } = await ensureKafka());
}, 240_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // one failed cleanup must not keep the others from running
    }
  }
});

afterAll(async () => {
  if (startedBroker) await stopKafka();
}, 60_000);

describe('local Kafka broker tool', () => {
  it('returns the running broker again without starting another', async () => {
    const again = await ensureKafka();
    expect(again).toEqual({ brokers, started: false });
  });

  it('fails with BROKERS_UNREACHABLE when KAFKA_BROKERS does not answer', async () => {
    const error = await ensureKafka({ env: { KAFKA_BROKERS: '127.0.0.1:1' }, externalTimeoutMs: 1_000 }).catch(
      (err: unknown) => err,
    );
    expect(isKafkaToolError(error, 'BROKERS_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toContain('127.0.0.1:1');
  });
});

describe('kafkajs 2.2.4 against the pinned broker', () => {
  it(
    'returns metadata for a created topic',
    async () => {
      const admin = await connected(kafka().admin());
      const topic = await createTopic(admin, 3);

      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });

      expect(topics).toHaveLength(1);
      expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      expect(topics[0]?.partitions.every((p) => p.leader >= 0)).toBe(true);
      expect(await admin.listTopics()).toContain(topic);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'resumes a consumer group after its committed offset',
    async () => {
      const admin = await connected(kafka().admin());
      const topic = await createTopic(admin, 1);
      const group = groupId();
      const send = await connected(producer());
      const batch = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) => ({ value: `m${from + i}` }));
      await send.send({ topic, messages: batch(0, 5) });

      const first = consumer({ groupId: group });
      await connected(first);
      const firstSeen: string[] = [];
      await collect(first, topic, firstSeen);
      await waitFor(() => firstSeen.length === 5, 'the first consumer to read m0..m4', WAIT_MS);
      await first.commitOffsets([{ topic, partition: 0, offset: '5' }]);
      await first.disconnect();

      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      expect(committed?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '5' })]);

      await send.send({ topic, messages: batch(5, 10) });
      const second = consumer({ groupId: group });
      await connected(second);
      const secondSeen: string[] = [];
      await collect(second, topic, secondSeen);
      await waitFor(() => secondSeen.length >= 5, 'the second consumer to read m5..m9', WAIT_MS);

      expect(firstSeen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(secondSeen).toEqual(['m5', 'm6', 'm7', 'm8', 'm9']);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'hides an aborted transaction from read_committed consumers only',
    async () => {
      const admin = await connected(kafka().admin());
      const topic = await createTopic(admin, 1);
      const tx = await connected(
        producer({ transactionalId: `test-tx-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 }),
      );

      const committed = await tx.transaction();
      await committed.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
      await committed.commit();
      const aborted = await tx.transaction();
      await aborted.send({ topic, messages: [{ value: 'aborted-1' }] });
      await aborted.abort();
      // A last committed record tells both consumers they have read past the aborted one.
      const last = await tx.transaction();
      await last.send({ topic, messages: [{ value: 'committed-3' }] });
      await last.commit();

      const readCommitted: string[] = [];
      const readUncommitted: string[] = [];
      await collect(await connected(consumer({ groupId: groupId() })), topic, readCommitted);
      await collect(await connected(consumer({ groupId: groupId(), readUncommitted: true })), topic, readUncommitted);
      await waitFor(
        () => readCommitted.includes('committed-3') && readUncommitted.includes('committed-3'),
        'both consumers to reach committed-3',
        WAIT_MS,
      );

      expect(readCommitted).toEqual(['committed-1', 'committed-2', 'committed-3']);
      // Proves the aborted record was really written, so its absence above means something.
      expect(readUncommitted).toEqual(['committed-1', 'committed-2', 'aborted-1', 'committed-3']);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'commits consumer offsets inside a transaction (sendOffsets)',
    async () => {
      const admin = await connected(kafka().admin());
      const topic = await createTopic(admin, 1);
      const group = groupId();
      const tx = await connected(
        producer({ transactionalId: `test-tx-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 }),
      );

      const transaction = await tx.transaction();
      await transaction.send({ topic, messages: [{ value: 'out-1' }] });
      await transaction.sendOffsets({
        consumerGroupId: group,
        topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }],
      });
      await transaction.commit();

      // The coordinator applies the committed offsets when it reads the transaction's commit marker, a moment after
      // commit() returns (kafkajs does not ask for stable offsets), so wait for them instead of reading once.
      const committed = async () => (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions;
      await waitFor(async () => (await committed())?.[0]?.offset === '1', 'the transactional offset commit', WAIT_MS);
      expect(await committed()).toEqual([expect.objectContaining({ partition: 0, offset: '1' })]);
    },
    TEST_TIMEOUT_MS,
  );
});
