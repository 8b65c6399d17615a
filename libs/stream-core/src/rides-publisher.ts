import type { Lifecycle } from '@ridestream/runtime';
import type { OutgoingMessage } from './records';

/**
 * Where the producer puts rides, whatever carries them (Kafka, Kinesis). The service calls `prepare()` when asked to
 * create resources, then `start()`, then `publish()` per request, and `stop()` once the last request has drained.
 * Each transport lib implements it (`createKafkaRidesPublisher`, `createKinesisStreamPublisher`); the producer app
 * builds one and hands it in, so libs/producer never imports a transport.
 */
export interface RidesPublisher extends Lifecycle {
  /** `kafka` or `kinesis`, for logs. */
  readonly transport: string;
  /** The topic or stream the rides go to: the `stream` of every message. */
  readonly destination: string;
  /** Creates the destination when it is missing (dev); idempotent. */
  prepare?(): Promise<void>;
  /**
   * Resolves once the transport holds every message (Kafka: acknowledged with acks=all; Kinesis: PutRecords
   * accepted each record). A rejection means the request is answered 503 and the client sends it again.
   */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
}
