export { createAccuracyJoin, summarize } from './join';
export type {
  AccuracyJoin,
  AccuracyJoinOptions,
  AccuracyJoinSnapshot,
  ErrorSums,
  JoinCounters,
  ModelRole,
  PredictionObservation,
  TruthObservation,
  VersionWindow,
} from './join';
export {
  columnDrift,
  createDriftWindow,
  DRIFT_THRESHOLD,
  jensenShannonDistance,
  MIN_DRIFT_SAMPLE,
  populationStabilityIndex,
  referenceProfileSchema,
} from './drift';
export type { ColumnDrift, ColumnHistogram, ReferenceColumn, ReferenceProfile } from './drift';
export { createMonitor, parseReferenceProfile } from './monitor';
export type { Monitor, MonitorCounters, MonitorOptions, MonitorRecord, MonitorSnapshot } from './monitor';
export { predictionObservation, streamRole, truthObservation, truthOf } from './observations';
export type { StreamRole, WatchedStreams } from './observations';
