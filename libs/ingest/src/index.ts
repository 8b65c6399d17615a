export { createProducerService } from './producer-service';
export type { ProducerService, ProducerServiceOptions } from './producer-service';
export { registerRidesRoute } from './rides-route';
export type { RidesRouteOptions } from './rides-route';
export { replayRides, ReplayError } from './replay';
export type { ReplayOptions, ReplayResult } from './replay';
