export { TLC_ERROR_CODES, TlcError } from './errors';
export type { TlcErrorCode, TlcErrorContext } from './errors';
export { cleanTrips, tripToEventCandidates } from './events';
export type { CleaningTarget, CleanResult, CleanRide } from './events';
export { readTlcFile } from './read';
export type { TlcTrip } from './read';
export { rideTimeline } from './timeline';
export type { TimedRide } from './timeline';
