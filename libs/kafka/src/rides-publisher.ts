import type { Logger } from '@ridestream/runtime';
import type { RidesPublisher } from '@ridestream/stream-core';
import { createKafka, type KafkaConnection } from './client';
import { createPublisher } from './publisher';
import { ensureTopics } from './topics';

export interface KafkaRidesPublisherOptions {
  readonly kafka: KafkaConnection;
  readonly topic: string;
  readonly compression: 'none' | 'gzip';
  readonly logger: Logger;
}

/**
 * The rides publisher on Kafka: an idempotent kafkajs producer (acks=all) whose `publish` is one produce request
 * per call, resolved once the broker acknowledged every message; gathering concurrent requests into one call is the
 * producer service's (libs/producer `createCoalescingPublisher`). `prepare()` creates the topic.
 *
 * @example
 * const publisher = createKafkaRidesPublisher({ kafka: { brokers, clientId: 'producer' }, topic: 'rides',
 *   compression: 'none', logger });
 */
export function createKafkaRidesPublisher(o: KafkaRidesPublisherOptions): RidesPublisher {
  const kafka = createKafka(o.kafka, o.logger);
  const publisher = createPublisher(kafka, { compression: o.compression });
  return {
    transport: 'kafka',
    destination: o.topic,
    prepare: async () => {
      await ensureTopics(kafka, [{ topic: o.topic }]);
    },
    start: () => publisher.start(),
    publish: (messages) => publisher.send(messages),
    stop: () => publisher.stop(),
  };
}
