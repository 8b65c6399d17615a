export { FEATURES_ERROR_CODES, FeaturesError } from './errors';
export type { FeaturesErrorCode, FieldIssue } from './errors';
export {
  CONTRACT_VERSION,
  MAX_FARE_USD,
  MAX_TOTAL_USD,
  MAX_TRIP_DISTANCE_MILES,
  MAX_ZONE,
  MIN_ZONE,
  RIDE_EVENT_TYPES,
  parseRideEvent,
  rideCompletedSchema,
  rideEventSchema,
  ridePaidSchema,
  rideStartedSchema,
  toFieldIssues,
  validateRideBatch,
  validateRideEvent,
} from './ride-event';
export type {
  IndexedIssue,
  ParseResult,
  RideCompleted,
  RideEvent,
  RideEventType,
  RidePaid,
  RideStarted,
} from './ride-event';
export {
  PREDICTION_KINDS,
  durationPredictionSchema,
  makePrediction,
  predictionId,
  predictionSchema,
  predictionSerializer,
  tipPredictionSchema,
} from './prediction';
export type { DurationPrediction, Prediction, PredictionInput, PredictionKind, TipPrediction } from './prediction';
export { BOROUGHS, FEATURE_SPECS, featurize, puDoKey } from './features';
export type { FeatureSpec } from './features';
export { isUsHoliday } from './calendar';
export { nyLocalParts, nyWallTimeToEpochMs, toNyIsoString } from './ny-time';
export type { LocalTimeParts } from './ny-time';
export { contractJsonSchemas } from './json-schema';
