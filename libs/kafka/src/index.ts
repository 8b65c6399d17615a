export { createKafka, kafkaConnectionFromEnv } from './client';
export type { KafkaConnection } from './client';
export { isRetriableKafkaError, KAFKA_ERROR_CODES, KafkaTransportError } from './errors';
export type { KafkaErrorCode } from './errors';
export { createPublisher } from './publisher';
export type { OutgoingMessage, Publisher, PublisherOptions } from './publisher';
export { ensureTopics } from './topics';
export type { TopicSpec } from './topics';
