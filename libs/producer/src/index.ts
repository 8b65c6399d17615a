export { createProducerApp, createProducerService, DEFAULT_COALESCING } from './producer-service';
export type {
  ProducerAppOptions,
  ProducerHttpOptions,
  ProducerService,
  ProducerServiceOptions,
} from './producer-service';
export type { RidesPublisher } from '@ridestream/stream-core';
export { apiKeyMatcher, apiKeysEnvSchema, presentedKey, registerApiKeyAuth } from './auth';
export type { ApiKeyAuthOptions } from './auth';
export { registerRateLimit } from './rate-limit';
export type { RateLimitOptions } from './rate-limit';
export { registerRidesRoute } from './rides-route';
export type { RidesRouteOptions } from './rides-route';
export { INGEST_ERROR_CODES, IngestError } from './errors';
export type { IngestErrorCode, IngestErrorContext } from './errors';
export { DEFAULT_REPLAY_RETRY, replayRides } from './replay';
export { DEFAULT_MAX_GAP_MS, replayBatches, replaySchedule } from './replay-clock';
export type { ReplayPace } from './replay-clock';
export type { ReplayEvent, ReplayOptions, ReplayResult } from './replay';
export { createCoalescingPublisher } from './coalescing-publisher';
export type {
  BatchReport,
  CoalescingOptions,
  CoalescingPublisher,
  CoalescingPublisherOptions,
} from './coalescing-publisher';
