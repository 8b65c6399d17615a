export { awsConnectionsFromEnv, createDynamoClient, createKinesisClient } from './client';
export type { AwsConnection } from './client';
export { kinesisConsumerEnvSchema, kinesisEnvSchema, kinesisServiceEnvSchema } from './config';
export type { KinesisConsumerEnv, KinesisEnv, KinesisServiceEnv } from './config';
export { runKinesisConsumer } from './consumer';
export type { KinesisConsumer, KinesisConsumerOptions } from './consumer';
export { DEAD_LETTER_ENVELOPE, deadLetterEnvelopeSchema, parseDeadLetterEnvelope } from './dead-letter';
export type { DeadLetterEnvelope } from './dead-letter';
export { classifyAwsError, KINESIS_ERROR_CODES, KinesisTransportError } from './errors';
export type { KinesisErrorCode, KinesisErrorContext } from './errors';
export { createKinesisLambdaHandler } from './lambda';
export { runLambdaRuntime } from './lambda-runtime';
export type { LambdaRuntimeOptions } from './lambda-runtime';
export type {
  KinesisBatchResponse,
  KinesisEventRecord,
  KinesisLambdaOptions,
  KinesisStreamEvent,
  LambdaContextLike,
} from './lambda';
// The lease table is public (tests and tools read its rows); the lease policy functions stay inside.
export { CHECKPOINT as LEASE_CHECKPOINT } from './lease';
export type { Lease } from './lease';
export { leaseTable } from './lease-table';
export type { LeaseTable } from './lease-table';
export { createKinesisMetrics } from './metrics';
export type { KinesisMetrics } from './metrics';
export { createKinesisPublisher, createKinesisStreamPublisher } from './publisher';
export type {
  KinesisPublisher,
  KinesisPublisherOptions,
  KinesisStreamPublisher,
  KinesisStreamPublisherOptions,
} from './publisher';
export { PUT_RECORDS_LIMITS } from './put-records';
export type { PutRecordsLimits } from './put-records';
export { readKinesisPredictions } from './prediction-reader';
export type { KinesisPredictionReaderOptions } from './prediction-reader';
export { readKinesisUnleased } from './unleased-reader';
export type { UnleasedReaderOptions } from './unleased-reader';
export { createKinesisConsumerService } from './service';
export type { KinesisConsumerService, KinesisConsumerServiceOptions } from './service';
export { readShard } from './shard-reader';
export type { ShardReadEnd, ShardReaderOptions } from './shard-reader';
export { ensureStreams, listAllShards, waitForStreamActive } from './streams';
export type { StreamSpec } from './streams';
