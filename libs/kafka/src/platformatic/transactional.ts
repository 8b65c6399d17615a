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
/**
 * 1.35.0 asks InitProducerId for producer id 0 and epoch 0 unless told otherwise: for a transactional id the broker
 * already knows (an instance restarted after kill -9, a partition taken over) that is somebody else's producer, and
 * the broker answers PRODUCER_FENCED for ever. -1/-1 is what the Java client sends: "a new producer for this id",
 * which fences the previous one and aborts its open transaction.
 */
const FRESH_PRODUCER = { producerId: -1n, producerEpoch: -1 };

export function createPlatformaticTransactionalPublisher(
  connection: KafkaConnection,
  o: { readonly transactionalId: string; readonly consumer: Consumer; readonly logger: Logger },
): PlatformaticTransactionalPublisher {
  // `timeout` is also the transaction timeout the broker enforces: the client's 5 s default would abort a chunk
  // whose publish waits out one leader election.
  const producer = new Producer({ ...producerOptions(connection, o.transactionalId), timeout: 30_000 });
  let stopping: Promise<void> | undefined;
  return {
    async sendWithOffset(messages, consumed) {
      let tx: Awaited<ReturnType<typeof producer.beginTransaction>> | undefined;
      try {
        tx = await producer.beginTransaction(FRESH_PRODUCER);
        if (messages.length > 0) await tx.send({ messages: toPlatformaticMessages(messages) });
        if (consumed) {
          await tx.addConsumer(o.consumer);
          await tx.addOffset(consumed);
        }
        await tx.commit();
      } catch (cause) {
        // A transaction that failed to begin (the broker still aborting the killed predecessor's, say) stays the
        // producer's current one and blocks every later begin: cancel forgets it locally. A begun one is aborted; a
        // fenced producer cannot even abort, and cancelling then lets the next chunk begin afresh.
        const current = tx ?? producer.transaction;
        if (current && !current.completed) {
          await (tx ? tx.abort() : Promise.reject(new Error('never begun')))
            .catch(() => current.cancel())
            .catch((err: unknown) => o.logger.warn({ err }, 'abort after a failed transaction failed too'));
        }
        throw toKafkaTransportError('PUBLISH_FAILED', `transaction ${o.transactionalId} failed`, cause);
      }
    },
    stop: () => (stopping ??= producer.close()),
  };
}
