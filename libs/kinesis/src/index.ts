export { awsConnectionsFromEnv, createDynamoClient, createKinesisClient } from './client';
export type { AwsConnection } from './client';
export { kinesisConsumerEnvSchema, kinesisEnvSchema, kinesisServiceEnvSchema } from './config';
export type { KinesisConsumerEnv, KinesisEnv, KinesisServiceEnv } from './config';
export { runKinesisConsumer } from './consumer';
export type { KinesisConsumer, KinesisConsumerOptions } from './consumer';
export {
  DEAD_LETTER_ENVELOPE,
  deadLetterEnvelopeSchema,
  encodeForKinesis,
  parseDeadLetterEnvelope,
  toDeadLetterEnvelope,
} from './dead-letter';
export type { DeadLetterEnvelope } from './dead-letter';
export { awsErrorName, isRetriableAwsError, KINESIS_ERROR_CODES, KinesisTransportError } from './errors';
export type { KinesisErrorCode } from './errors';
export { createKinesisLambdaHandler, eventRecordToSource, streamNameOf } from './lambda';
export { runLambdaRuntime } from './lambda-runtime';
export type { LambdaRuntimeOptions } from './lambda-runtime';
export type {
  KinesisBatchResponse,
  KinesisEventRecord,
  KinesisLambdaOptions,
  KinesisStreamEvent,
  LambdaContextLike,
} from './lambda';
export { CHECKPOINT, isFinished, isReady, leasesToCreate, observeLeases, planLeaseTakes, planRenewals } from './lease';
export type { Lease, LeaseObservation, TakeInput, TakePlan } from './lease';
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
export { batchPutEntries, failedEntries, PUT_RECORDS_LIMITS, toPutEntry } from './put-records';
export type { PutEntry, PutRecordsLimits } from './put-records';
export { createKinesisConsumerService } from './service';
export type { KinesisConsumerService, KinesisConsumerServiceOptions } from './service';
export { MIN_GET_RECORDS_INTERVAL_MS, readShard, toSourceRecord } from './shard-reader';
export type { ShardReadEnd, ShardReaderOptions } from './shard-reader';
export { ensureStreams, listAllShards, waitForStreamActive } from './streams';
export type { StreamSpec } from './streams';
