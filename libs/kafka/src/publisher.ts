import { isRetriable } from '@ridestream/runtime';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { classifyKafkaError, KafkaTransportError } from './errors';
import { coalescingSends, MAX_RECORDS_PER_REQUEST } from './coalescing-sends';
import { renewingProducer } from './renewing-producer';

export interface PublisherOptions {
  readonly compression?: 'none' | 'gzip';
  /** Called with each kafkajs producer made (the first, then each replacement): instrumentation, e.g. its events. */
  readonly onProducer?: (producer: Producer) => void;
}

export interface Publisher {
  start(): Promise<void>;
  /**
   * Sends at once when no send is in flight, else with the calls waiting behind it in the next request
   * (`coalescingSends`); resolves when every message is acknowledged.
   */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Disconnects (kafkajs waits for the requests in flight). Memoised. */
  stop(): Promise<void>;
  /** How many times a failed send made it replace its kafkajs producer (see `createPublisher`). */
  replacements(): number;
}

export function toTopicMessages(messages: readonly OutgoingMessage[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const m of messages) {
    let list = byTopic.get(m.stream);
    if (!list) byTopic.set(m.stream, (list = []));
    list.push({ key: m.key, value: m.value, headers: m.headers ? { ...m.headers } : undefined });
  }
  return [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs }));
}

/**
 * An idempotent kafkajs producer (acks=all, one request in flight, so a retried send never writes a record twice):
 * each `send()` resolves when every message is acknowledged. Calls made while a request is in flight (a consumer's
 * partitions side by side) go out together in the next one (`coalescingSends`); lingering to gather many small
 * callers is the producer's coalescing publisher (libs/producer), whatever the client. It is replaced by a fresh
 * producer after a failed send: kafkajs rolls back sequence numbers the broker had taken, and would then drop or
 * refuse the next batch (`renewingProducer`).
 */
export function createPublisher(kafka: Kafka, options: PublisherOptions): Publisher {
  const make = () => {
    const made = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner: a ride id lands on the same partition whichever client published it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    options.onProducer?.(made);
    return made;
  };
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const producers = renewingProducer({
    make,
    open: (p) => p.connect(),
    close: (p) => p.disconnect(),
    onReplaced: (replacements) =>
      kafka.logger().warn('replaced the idempotent producer after a failed send', { replacements }),
  });
  let stopped = false;

  const write = coalescingSends<OutgoingMessage>(async (all) => {
    await producers.send((p) => p.sendBatch({ topicMessages: toTopicMessages(all), acks: -1, compression }));
  }, MAX_RECORDS_PER_REQUEST);
  const send = async (messages: readonly OutgoingMessage[]): Promise<void> => {
    if (messages.length === 0) return;
    try {
      await write(messages);
    } catch (cause) {
      const retriable = isRetriable(cause, classifyKafkaError);
      throw new KafkaTransportError(
        'PUBLISH_FAILED',
        `publish of ${messages.length} messages failed: ${(cause as Error).message}`,
        { retriable: retriable, cause },
      );
    }
  };

  return {
    start: () => producers.start(),
    send: (messages) => {
      if (stopped) return Promise.reject(new KafkaTransportError('PUBLISHER_STOPPED', 'publisher is stopped'));
      return send(messages);
    },
    replacements: () => producers.replacements(),
    stop() {
      stopped = true;
      return producers.stop();
    },
  };
}
