import type { Kafka, Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createPublisher } from '../src/index';

/** A kafkajs producer that does what its script says: each connect and send takes the next outcome. */
interface FakeProducer {
  readonly sent: string[][];
  disconnected: boolean;
}

/** A kafkajs client whose producers fail as told; `made` lists them in the order they were created. */
function fakeKafka(script: { connects?: boolean[]; sends?: boolean[] }) {
  const made: FakeProducer[] = [];
  const connects = [...(script.connects ?? [])];
  const sends = [...(script.sends ?? [])];
  const kafka = {
    logger: () => ({ warn: () => undefined }),
    producer: () => {
      const p: FakeProducer = { sent: [], disconnected: false };
      made.push(p);
      return {
        connect: async () => {
          if (connects.shift() === false) throw new Error('connect ECONNREFUSED');
        },
        disconnect: async () => {
          p.disconnected = true;
        },
        sendBatch: async ({ topicMessages }: { topicMessages: { messages: { value: string }[] }[] }) => {
          if (sends.shift() === false) throw new Error('This server is not the leader for that topic-partition');
          p.sent.push(topicMessages.flatMap((t) => t.messages.map((m) => m.value)));
          return [];
        },
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, made };
}

const msg = (value: string) => [{ stream: 'rides', key: 'k', value }];

describe('createPublisher: the idempotent producer after a failed send', () => {
  it('sends on a fresh producer after a failure, and disconnects the old one first', async () => {
    const { kafka, made } = fakeKafka({ sends: [true, false, true] });
    const publisher = createPublisher(kafka, {});
    await publisher.start();
    await publisher.send(msg('a'));
    await expect(publisher.send(msg('b'))).rejects.toMatchObject({ code: 'PUBLISH_FAILED', retriable: true });
    await publisher.send(msg('c'));

    expect(made.map((p) => p.sent)).toEqual([[['a']], [['c']]]);
    expect(made[0]!.disconnected).toBe(true);
    expect(publisher.replacements()).toBe(1);
  });

  it('stops the producer in hand, once', async () => {
    const { kafka, made } = fakeKafka({ sends: [false, true] });
    const publisher = createPublisher(kafka, {});
    await publisher.start();
    await expect(publisher.send(msg('a'))).rejects.toThrow();
    await publisher.send(msg('b'));
    await Promise.all([publisher.stop(), publisher.stop()]);
    expect(made.map((p) => p.disconnected)).toEqual([true, true]);
    await expect(publisher.send(msg('c'))).rejects.toMatchObject({ code: 'PUBLISHER_STOPPED' });
  });
});
