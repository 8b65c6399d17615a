import { Producer, type Consumer, type Message } from '@platformatic/kafka';
import type { Logger } from '@ridestream/runtime';
import type { OutgoingMessage } from '@ridestream/stream-core';
import type { KafkaConnection } from '../client';
import { toKafkaTransportError } from './errors';
import { producerOptions, toPlatformaticMessages } from './publisher';

export interface PlatformaticTransactionalPublisher {
  /**
   * Publishes `messages` and commits `consumed` (the last record the chunk may commit; the group commits the offset
   * after it) in one transaction: both happen, or neither.
   */
  sendWithOffset(messages: readonly OutgoingMessage[], consumed: Message | null): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A transactional @platformatic/kafka producer for consume-transform-produce. Zombies are fenced twice over: one
 * transactional id per input partition (as on kafkajs: the new owner's producer id bumps the epoch of the old one)
 * and, unlike kafkajs, KIP-447: the offset goes to the broker with the consumer generation and member id of the fetch
 * that read it, so an instance that lost the partition in a rebalance has its whole transaction refused.
 */
export function createPlatformaticTransactionalPublisher(
  connection: KafkaConnection,
  o: { readonly transactionalId: string; readonly consumer: Consumer; readonly logger: Logger },
): PlatformaticTransactionalPublisher {
  const producer = new Producer(producerOptions(connection, o.transactionalId));
  let stopping: Promise<void> | undefined;
  return {
    async sendWithOffset(messages, consumed) {
      let tx: Awaited<ReturnType<typeof producer.beginTransaction>> | undefined;
      try {
        tx = await producer.beginTransaction();
        if (messages.length > 0) await tx.send({ messages: toPlatformaticMessages(messages) });
        if (consumed) {
          await tx.addConsumer(o.consumer);
          await tx.addOffset(consumed);
        }
        await tx.commit();
      } catch (cause) {
        if (tx && !tx.completed) {
          // A fenced producer cannot even abort: cancel then forgets the transaction locally, so the next begins.
          await tx
            .abort()
            .catch(() => tx?.cancel())
            .catch((err: unknown) => o.logger.warn({ err }, 'abort after a failed transaction failed too'));
        }
        throw toKafkaTransportError('PUBLISH_FAILED', `transaction ${o.transactionalId} failed`, cause);
      }
    },
    stop: () => (stopping ??= producer.close()),
  };
}
