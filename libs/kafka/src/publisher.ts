import { isRetriable } from '@ridestream/runtime';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { classifyKafkaError, KafkaTransportError } from './errors';

export interface PublisherOptions {
  readonly compression?: 'none' | 'gzip';
  /** Idempotent (acks=all, one request in flight): a retried send never writes a record twice. */
  readonly idempotent?: boolean;
  /** Called with each kafkajs producer made (the first, then each replacement): instrumentation, e.g. its events. */
  readonly onProducer?: (producer: Producer) => void;
}

export interface Publisher {
  start(): Promise<void>;
  /** Sends now, in one request per call; resolves when every message is acknowledged. */
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
 * A kafkajs producer: one request per `send()` call, resolved when every message is acknowledged. Gathering many
 * small callers into one call is the producer's coalescing publisher (libs/producer), whatever the client.
 *
 * An idempotent producer is replaced by a fresh one (a new producer id, sequence numbers from 0) before the first
 * send after a failed one. kafkajs 2.2.4 numbers a request's batches before it sends, and when the request fails it
 * rolls back the numbers of every partition in it, also of those the broker had already written (a partial
 * failure: NOT_LEADER on some partitions while the restarted broker elects leaders, or one topic refusing a record).
 * Its next batch to such a partition then reuses numbers the broker has seen: refused for good with
 * OUT_OF_ORDER_SEQUENCE_NUMBER, or, when it holds as many records as the written one, acknowledged as a duplicate
 * and dropped. Both were seen on a real broker (`tests/integration/publisher.int.test.ts`); the first kept the
 * producer answering 503 for minutes after a broker restart. The Java client bumps its epoch for the same reason
 * (KIP-360). The records of the failed send may then be written twice when the caller sends them again, which
 * at-least-once allows; a transactional producer is not this one (transactional.ts).
 */
export function createPublisher(kafka: Kafka, options: PublisherOptions): Publisher {
  const idempotent = options.idempotent ?? true;
  const make = () => {
    const made = kafka.producer({
      idempotent,
      maxInFlightRequests: idempotent ? 1 : 5,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner: a ride id lands on the same partition whichever client published it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    options.onProducer?.(made);
    return made;
  };
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  let producer: Producer = make();
  /** Set when a send on `producer` failed: the next send replaces it first. */
  let suspect = false;
  let replacing: Promise<void> | undefined;
  let replaced = 0;
  let stopped = false;
  let stopPromise: Promise<void> | undefined;

  // One replacement at a time; a failed one (the broker still away) leaves the producer suspect for the next send.
  const replace = (): Promise<void> =>
    (replacing ??= (async () => {
      const old = producer;
      await old.disconnect().catch(() => undefined);
      const fresh = make();
      try {
        await fresh.connect();
      } catch (err) {
        await fresh.disconnect().catch(() => undefined);
        throw err;
      }
      producer = fresh;
      suspect = false;
      replaced++;
      kafka.logger().warn('replaced the idempotent producer after a failed send', { replacements: replaced });
    })().finally(() => {
      replacing = undefined;
    }));

  const send = async (messages: readonly OutgoingMessage[]): Promise<void> => {
    if (messages.length === 0) return;
    let used: Producer | undefined;
    try {
      if (suspect) await replace();
      used = producer;
      await used.sendBatch({ topicMessages: toTopicMessages(messages), acks: -1, compression });
    } catch (cause) {
      // Only the producer this send used: a send that failed on one already replaced says nothing of the new one.
      if (idempotent && (used === undefined || used === producer)) suspect = true;
      const retriable = isRetriable(cause, classifyKafkaError);
      throw new KafkaTransportError(
        'PUBLISH_FAILED',
        `publish of ${messages.length} messages failed: ${(cause as Error).message}`,
        { retriable: retriable, cause },
      );
    }
  };

  return {
    start: () => producer.connect(),
    send: (messages) => {
      if (stopped) return Promise.reject(new KafkaTransportError('PUBLISHER_STOPPED', 'publisher is stopped'));
      return send(messages);
    },
    replacements: () => replaced,
    stop() {
      stopPromise ??= (async () => {
        stopped = true;
        await replacing?.catch(() => undefined);
        await producer.disconnect();
      })();
      return stopPromise;
    },
  };
}
