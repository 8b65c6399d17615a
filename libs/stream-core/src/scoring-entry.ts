/**
 * `@ridestream/stream-core/scoring`: the scorers that load a model (in a worker thread or in this one). A
 * separate entry point because it pulls in onnxruntime-node, which the main entry (and everything that imports it:
 * the transport adapters, the producer) must not load.
 */
export { ScoringWorkerError } from './errors';
export { loadScorer } from './load-scorer';
export type { LoadScorerOptions } from './load-scorer';
export { startScoringWorker } from './worker-client';
export type { ScoringWorkerOptions } from './worker-client';
