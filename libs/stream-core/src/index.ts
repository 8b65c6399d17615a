export { DLQ_HEADERS, deadLetterHeaders } from './dead-letter';
export type { DeadLetterContext } from './dead-letter';
export { STREAM_CORE_ERROR_CODES, StreamCoreError } from './errors';
export type { StreamCoreErrorCode, StreamCoreErrorContext } from './errors';
export { createConsumerMetrics } from './metrics';
export type { ConsumerMetrics, RecordOutcomeLabel } from './metrics';
export { planBatch } from './outcomes';
export type { BatchPlan, RecordOutcome } from './outcomes';
export { planMessages, processChunk } from './pipeline';
export type { PipelineOptions } from './pipeline';
export type { OutgoingMessage, SourceRecord, SourceRef } from './records';
export { predictEvents, scoreRecords, specOf } from './score-records';
export { modelScorer, predictorScorer } from './scorer';
export type { ModelIdentity, Predictor, Scorer } from './scorer';
export { createStreamConsumerService } from './service';
export type {
  StreamConsumerService,
  StreamConsumerServiceOptions,
  StreamContext,
  StreamSink,
  StreamSource,
} from './service';
export type { RidesPublisher } from './rides-publisher';
export { createSwappableScorer } from './swappable-scorer';
export type { SwappableScorer, SwappableScorerOptions } from './swappable-scorer';
export { createShadow } from './shadow';
export type { Shadow, ShadowOptions } from './shadow';
export { DEFAULT_PUBLISH_RETRY, scoringEnvSchema } from './config';
