import { RidestreamError, type RidestreamErrorOptions } from '@ridestream/runtime/errors';

/** Codes a caller can branch on; never branch on `message`. */
export const FEATURES_ERROR_CODES = [
  'INVALID_EVENT',
  'INVALID_JSON',
  'UNKNOWN_ZONE',
  /** A `schemaVersion: 1` ride event: v1 is retired, producers must send v2 (docs/FEATURES.md). */
  'CONTRACT_VERSION_RETIRED',
  /** A `ride.completed` whose drop-off (`occurredAt`) is before its pickup (`startedAt`). */
  'DROPOFF_BEFORE_PICKUP',
] as const;
export type FeaturesErrorCode = (typeof FEATURES_ERROR_CODES)[number];

/** One field that broke the contract: `path` is dotted (`occurredAt`, `fareAmount`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A ride event that breaks the contract. Never retriable: the same bytes fail the same way,
 * so a consumer dead-letters it instead of retrying. `issues` names every field that is wrong.
 */
export class FeaturesError extends RidestreamError<FeaturesErrorCode> {
  override readonly name = 'FeaturesError';
  override readonly retriable = false;
  readonly issues: readonly FieldIssue[];
  constructor(
    code: FeaturesErrorCode,
    message: string,
    options: Omit<RidestreamErrorOptions, 'retriable'> & { readonly issues?: readonly FieldIssue[] } = {},
  ) {
    super(code, message, options);
    this.issues = options.issues ?? [];
  }
}
