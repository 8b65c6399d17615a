/**
 * The Kafka publisher after a partially failed send, on the real broker. One request to two topics: the broker
 * writes the records of one and refuses the other's (larger than that topic's max.message.bytes). kafkajs 2.2.4 then
 * rolls back the sequence numbers of both, so a plain idempotent producer drops the next batch of the same size as
 * a "duplicate" while acknowledging it, and refuses any other size (OUT_OF_ORDER_SEQUENCE_NUMBER, for good). The
 * publisher replaces its producer after a failed send instead; every acknowledged record must be on the topic.
 */
import { createPublisher, type Publisher } from '@ridestream/kafka';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { collect, testKafka, unique } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const to = (stream: string, ...values: string[]): OutgoingMessage[] =>
  values.map((value) => ({ stream, key: 'one-key', value }));

describe('Kafka publisher: a send after a partially failed one', () => {
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
    const publisher: Publisher = createPublisher(kafka, { idempotent: true });
    await publisher.start();
    cleanups.push(() => publisher.stop());

    await publisher.send(to(accepting, 'first'));
    // The broker writes a1 and a2, and refuses the large record: the send fails as a whole.
    await expect(publisher.send([...to(accepting, 'a1', 'a2'), ...to(refusing, 'x'.repeat(5000))])).rejects.toThrow(
      /larger than the max message size/,
    );
    // As many records as the written batch: kafkajs alone acknowledges them and the broker drops them.
    await publisher.send(to(accepting, 'n1', 'n2'));
    await publisher.send(to(accepting, 'm1', 'm2', 'm3'));
    const topic = await collect(kafka, accepting);
    cleanups.push(() => topic.stop());
    await topic.readToEnd();
    expect(topic.messages.map((m) => String(m.value))).toEqual(['first', 'a1', 'a2', 'n1', 'n2', 'm1', 'm2', 'm3']);
    expect(publisher.replacements()).toBe(1);
  });
});
