import {
  createKafka,
  createPublisher,
  ensureTopics,
  type KafkaConnection,
  type OutgoingMessage,
} from '@ridestream/kafka';
import type { Lifecycle, Logger } from '@ridestream/runtime';

/**
 * Where the producer puts rides, whatever carries them (Kafka, Kinesis). The service calls `prepare()` when asked to
 * create resources, then `start()`, then `publish()` per request, and `stop()` once the last request has drained.
 * The app builds one and hands it in, so this lib never imports a transport it does not use.
 */
export interface RidesPublisher extends Lifecycle {
  /** `kafka` or `kinesis`, for logs. */
  readonly transport: string;
  /** The topic or stream the rides go to: the `topic` of every message. */
  readonly destination: string;
  /** Creates the destination when it is missing (dev); idempotent. */
  prepare?(): Promise<void>;
  /**
   * Resolves once the transport holds every message (Kafka: acknowledged with acks=all; Kinesis: PutRecords
   * accepted each record). A rejection means the request is answered 503 and the client sends it again.
   */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
}

export interface KafkaRidesPublisherOptions {
  readonly kafka: KafkaConnection;
  readonly topic: string;
  /** How long to wait to batch concurrent requests into one broker request. */
  readonly lingerMs: number;
  readonly compression: 'none' | 'gzip';
  readonly logger: Logger;
}

/**
 * The rides publisher on Kafka: an idempotent kafkajs producer (acks=all) whose `publish` lingers `lingerMs` to
 * batch concurrent requests; `prepare()` creates the topic.
 *
 * @example
 * const publisher = createKafkaRidesPublisher({ kafka: { brokers, clientId: 'producer' }, topic: 'rides',
 *   lingerMs: 5, compression: 'none', logger });
 */
export function createKafkaRidesPublisher(o: KafkaRidesPublisherOptions): RidesPublisher {
  const kafka = createKafka(o.kafka, o.logger);
  const publisher = createPublisher(kafka, {
    logger: o.logger,
    lingerMs: o.lingerMs,
    compression: o.compression,
    idempotent: true,
  });
  return {
    transport: 'kafka',
    destination: o.topic,
    prepare: async () => {
      await ensureTopics(kafka, [{ topic: o.topic }]);
    },
    start: () => publisher.start(),
    publish: (messages) => publisher.enqueue(messages),
    stop: () => publisher.stop(),
  };
}
