import { isRetriable, type Logger } from '@ridestream/runtime';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { classifyKafkaError, KafkaTransportError } from './errors';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { toTopicMessages } from './publisher';

export interface ConsumedOffset {
  readonly consumerGroupId: string;
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (last processed + 1), as Kafka commits it. */
  readonly offset: string;
}

export interface TransactionalPublisher {
  start(): Promise<void>;
  /** Publishes `messages` and commits `consumed` in one Kafka transaction: both happen, or neither. */
  sendWithOffsets(messages: readonly OutgoingMessage[], consumed: ConsumedOffset | null): Promise<void>;
  stop(): Promise<void>;
  readonly producer: Producer;
}

/**
 * A transactional producer for consume-transform-produce. kafkajs does not implement KIP-447 (fencing by consumer
 * group metadata), so zombies are fenced the classic way: one transactional id per input partition. When a
 * partition moves to another instance, its new producer's `initTransactions` with the same id fences the old one,
 * whose next commit fails instead of writing duplicates.
 */
export function createTransactionalPublisher(
  kafka: Kafka,
  o: { transactionalId: string; logger: Logger },
): TransactionalPublisher {
  const producer = kafka.producer({
    transactionalId: o.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let stopping: Promise<void> | undefined;
  return {
    producer,
    start: () => producer.connect(),
    async sendWithOffsets(messages, consumed) {
      const tx = await producer.transaction();
      try {
        if (messages.length > 0) await tx.sendBatch({ topicMessages: toTopicMessages(messages), acks: -1 });
        if (consumed) {
          await tx.sendOffsets({
            consumerGroupId: consumed.consumerGroupId,
            topics: [
              { topic: consumed.topic, partitions: [{ partition: consumed.partition, offset: consumed.offset }] },
            ],
          });
        }
        await tx.commit();
      } catch (cause) {
        await tx.abort().catch((err: unknown) => o.logger.warn({ err }, 'abort after a failed transaction failed too'));
        const retriable = isRetriable(cause, classifyKafkaError);
        throw new KafkaTransportError(
          'PUBLISH_FAILED',
          `transaction ${o.transactionalId} failed: ${(cause as Error).message}`,
          { retriable: retriable, cause },
        );
      }
    },
    stop: () => (stopping ??= producer.disconnect()),
  };
}
