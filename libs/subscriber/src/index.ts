export { subscribePredictions } from './subscriber';
export type { PredictionMeta, SubscribeOptions } from './subscriber';
