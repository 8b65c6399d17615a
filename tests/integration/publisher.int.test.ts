/**
 * The Kafka publishers after a partially failed send, on the real broker, on both clients. One request to two
 * topics: the broker writes the records of one and refuses the other's (larger than that topic's max.message.bytes).
 * kafkajs 2.2.4 and @platformatic/kafka 1.35.0 then both roll back the sequence numbers of both, so a plain
 * idempotent producer drops the next batch of the same size as a "duplicate" while acknowledging it (kafkajs also
 * refuses any other size, OUT_OF_ORDER_SEQUENCE_NUMBER, for good). The publishers replace their producer after a
 * failed send instead (`renewingProducer`); every acknowledged record must be on the topic.
 */
import { createPlatformaticPublisher, createPublisher } from '@ridestream/kafka';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { brokers, collect, testKafka, unique } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const to = (stream: string, ...values: string[]): OutgoingMessage[] =>
  values.map((value) => ({ stream, key: 'one-key', value }));

interface UnderTest {
  start(): Promise<void>;
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  stop(): Promise<void>;
  replacements(): number;
}
const clients: [string, () => UnderTest][] = [
  ['kafkajs', () => createPublisher(testKafka(), {})],
  ['platformatic', () => createPlatformaticPublisher({ brokers: brokers(), clientId: unique('publisher') })],
];

describe.each(clients)('Kafka publisher on %s: a send after a partially failed one', (_client, make) => {
  it('writes every acknowledged record, whatever the size of the batch after the failure', async () => {
    const kafka = testKafka();
    const [accepting, refusing] = [unique('publisher-accepting'), unique('publisher-refusing')];
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: accepting, numPartitions: 1 },
        { topic: refusing, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] },
      ],
    });
    const publisher = make();
    await publisher.start();
    cleanups.push(() => publisher.stop());

    await publisher.send(to(accepting, 'first'));
    // The broker writes a1 and a2, and refuses the large record: the send fails as a whole.
    await expect(publisher.send([...to(accepting, 'a1', 'a2'), ...to(refusing, 'x'.repeat(5000))])).rejects.toThrow();
    // As many records as the written batch: either client alone acknowledges them and the broker drops them.
    await publisher.send(to(accepting, 'n1', 'n2'));
    await publisher.send(to(accepting, 'm1', 'm2', 'm3'));

    const topic = await collect(kafka, accepting);
    cleanups.push(() => topic.stop());
    await topic.readToEnd();
    expect(topic.messages.map((m) => String(m.value))).toEqual(['first', 'a1', 'a2', 'n1', 'n2', 'm1', 'm2', 'm3']);
    expect(publisher.replacements()).toBe(1);
  });
});
