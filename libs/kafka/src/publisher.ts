import { isRetriable } from '@ridestream/runtime';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { classifyKafkaError, KafkaTransportError } from './errors';

export interface PublisherOptions {
  readonly compression?: 'none' | 'gzip';
  /** Idempotent (acks=all, one request in flight): a retried send never writes a record twice. */
  readonly idempotent?: boolean;
}

export interface Publisher {
  start(): Promise<void>;
  /** Sends now, in one request per call; resolves when every message is acknowledged. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Disconnects (kafkajs waits for the requests in flight). Memoised. */
  stop(): Promise<void>;
  readonly producer: Producer;
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
 * A kafkajs producer: one request per `send()` call, resolved when every message is acknowledged. Gathering many
 * small callers into one call is the producer's coalescing publisher (libs/producer), whatever the client.
 */
export function createPublisher(kafka: Kafka, options: PublisherOptions): Publisher {
  const idempotent = options.idempotent ?? true;
  const producer = kafka.producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioner: a ride id lands on the same partition whichever client published it.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  let stopped = false;
  let stopPromise: Promise<void> | undefined;

  const send = async (messages: readonly OutgoingMessage[]): Promise<void> => {
    if (messages.length === 0) return;
    try {
      await producer.sendBatch({ topicMessages: toTopicMessages(messages), acks: -1, compression });
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
    producer,
    start: () => producer.connect(),
    send: (messages) => {
      if (stopped) return Promise.reject(new KafkaTransportError('PUBLISHER_STOPPED', 'publisher is stopped'));
      return send(messages);
    },
    stop() {
      stopPromise ??= (async () => {
        stopped = true;
        await producer.disconnect();
      })();
      return stopPromise;
    },
  };
}
