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
export type { ColumnDrift, ReferenceColumn, ReferenceProfile } from './drift';
