import { isRetriable, type Logger } from '@ridestream/runtime';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { classifyKafkaError, KafkaTransportError } from './errors';

export interface PublisherOptions {
  readonly logger: Logger;
  /** Wait this long for more messages before sending a request (Kafka's `linger.ms`). */
  readonly lingerMs?: number;
  /** Send at once when this many messages are waiting. */
  readonly maxBatchMessages?: number;
  readonly compression?: 'none' | 'gzip';
  /** Idempotent (acks=all, one request in flight): a retried send never writes a record twice. */
  readonly idempotent?: boolean;
}

export interface Publisher {
  start(): Promise<void>;
  /** Sends now, in one request per call; resolves when every message is acknowledged. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Lingers to batch with other callers (the HTTP path); resolves when these messages are acknowledged. */
  enqueue(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Flushes what lingers, then disconnects. Memoised. */
  stop(): Promise<void>;
  readonly producer: Producer;
}

interface Pending {
  readonly messages: readonly OutgoingMessage[];
  resolve(): void;
  reject(err: unknown): void;
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
 * A kafkajs producer with linger batching. kafkajs sends one request per `send()` call and has no `linger.ms`,
 * so many small HTTP requests would each cost a broker round trip; `enqueue` gathers them for `lingerMs`.
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
  const lingerMs = options.lingerMs ?? 5;
  // ~300-byte rides: 1,000 stay well under the broker's default 1 MiB per partition batch.
  const maxBatch = options.maxBatchMessages ?? 1000;
  const log = options.logger.child({ component: 'publisher' });
  let pending: Pending[] = [];
  let pendingCount = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight = Promise.resolve();
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

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    pendingCount = 0;
    if (batch.length === 0) return inFlight;
    // Chained, so batches reach the broker in the order they were enqueued.
    inFlight = inFlight.then(async () => {
      try {
        await send(batch.flatMap((p) => p.messages));
        batch.forEach((p) => p.resolve());
      } catch (err) {
        log.warn({ err, messages: batch.length }, 'batched publish failed');
        batch.forEach((p) => p.reject(err));
      }
    });
    return inFlight;
  };

  return {
    producer,
    start: () => producer.connect(),
    send: (messages) => {
      if (stopped) return Promise.reject(new KafkaTransportError('PUBLISHER_STOPPED', 'publisher is stopped'));
      return send(messages);
    },
    enqueue(messages) {
      if (stopped) return Promise.reject(new KafkaTransportError('PUBLISHER_STOPPED', 'publisher is stopped'));
      return new Promise<void>((resolve, reject) => {
        pending.push({ messages, resolve, reject });
        pendingCount += messages.length;
        if (pendingCount >= maxBatch) void flush();
        else timer ??= setTimeout(() => void flush(), lingerMs);
      });
    },
    stop() {
      stopPromise ??= (async () => {
        stopped = true;
        await flush();
        await producer.disconnect();
      })();
      return stopPromise;
    },
  };
}
