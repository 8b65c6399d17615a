import { compatibilityPartitioner, ProduceAcks, Producer, type MessageToProduce } from '@platformatic/kafka';
import type { OutgoingMessage } from '@ridestream/stream-core';
import type { KafkaConnection } from '../client';
import { KafkaTransportError } from '../errors';
import { platformaticOptions } from './connection';
import { toKafkaTransportError } from './errors';
import { coalescingSends, MAX_RECORDS_PER_REQUEST } from '../coalescing-sends';
import { renewingProducer } from '../renewing-producer';

/** Our outgoing messages as @platformatic/kafka's: bytes for key, value and headers (its serialisers are off). */
export function toPlatformaticMessages(messages: readonly OutgoingMessage[]): MessageToProduce[] {
  return messages.map((m) => {
    // A Map of bytes: given a plain object, the client writes its keys as strings, and the protocol writer refuses.
    const headers = new Map<Buffer, Buffer>();
    if (m.headers) for (const [k, v] of Object.entries(m.headers)) headers.set(Buffer.from(k), Buffer.from(v, 'utf8'));
    return {
      topic: m.stream,
      key: Buffer.from(m.key, 'utf8'),
      value: typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value,
      headers,
    };
  });
}

/**
 * The producer options both of our producers share: idempotent, acks=all, and the Java client's partitioner.
 * @platformatic/kafka's default partitioner takes `murmur2 >>> 0`, which differs from Java's (and kafkajs')
 * `murmur2 & 0x7fffffff` for every key whose hash has the top bit set: half the ride ids would land on another
 * partition than the same ride's events published by the other client.
 */
export function producerOptions(connection: KafkaConnection, transactionalId?: string) {
  return {
    ...platformaticOptions(connection),
    idempotent: true,
    acks: ProduceAcks.ALL,
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
    ...(transactionalId ? { transactionalId } : {}),
  };
}

export interface PlatformaticPublisher {
  start(): Promise<void>;
  /**
   * Sends at once, or with the calls waiting behind a request in flight (`coalescingSends`); resolves when every
   * message is acknowledged by all in-sync replicas.
   */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Waits for sends in flight, then closes. Memoised. */
  stop(): Promise<void>;
  /** How many times a failed send made it replace its producer (see `renewingProducer`). */
  replacements(): number;
}

/**
 * An idempotent @platformatic/kafka producer (acks=all): a send the client retries never writes a record twice.
 * Failures come out as `KafkaTransportError('PUBLISH_FAILED')` with `retriable` from the client's own verdict.
 * It is replaced by a fresh producer after a failed send: 1.35.0 rolls back sequence numbers the broker had taken,
 * as kafkajs does, and then drops the next batch of the same size (`renewingProducer`).
 */
export function createPlatformaticPublisher(connection: KafkaConnection): PlatformaticPublisher {
  const producers = renewingProducer({
    make: () => new Producer(producerOptions(connection)),
    // The idempotent producer id is fetched now, so that an unreachable or refusing broker fails startup.
    open: async (p) => {
      await p.initIdempotentProducer({});
    },
    close: (p) => p.close(),
  });
  const write = coalescingSends<OutgoingMessage>(async (all) => {
    await producers.send((p) => p.send({ messages: toPlatformaticMessages(all) }));
  }, MAX_RECORDS_PER_REQUEST);
  let stopped = false;
  let stopping: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();
  return {
    start: async () => {
      try {
        await producers.start();
      } catch (cause) {
        throw toKafkaTransportError('BROKERS_UNREACHABLE', 'cannot start the producer', cause);
      }
    },
    async send(messages) {
      if (stopped) throw new KafkaTransportError('PUBLISHER_STOPPED', 'publisher is stopped');
      if (messages.length === 0) return;
      const sending = write(messages);
      inFlight.add(sending);
      try {
        await sending;
      } catch (cause) {
        throw toKafkaTransportError('PUBLISH_FAILED', `publish of ${messages.length} messages failed`, cause);
      } finally {
        inFlight.delete(sending);
      }
    },
    replacements: () => producers.replacements(),
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        await Promise.allSettled([...inFlight]);
        await producers.stop();
      })()),
  };
}
