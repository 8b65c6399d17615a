/**
 * `@ridestream/stream-core/scoring`: the scorers that load a model (in a worker thread or in this one). A
 * separate entry point because it pulls in onnxruntime-node, which the main entry (and everything that imports it:
 * the transport adapters, the producer) must not load.
 */
export { ScoringWorkerError } from './errors';
export { loadScorer, startScoringWorker } from './worker-scorer';
export type { LoadScorerOptions, ScoringWorkerOptions } from './worker-scorer';
