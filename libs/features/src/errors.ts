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
 * so a consumer dead-letters it instead of retrying.
 */
export class FeaturesError extends Error {
  override readonly name = 'FeaturesError';
  readonly retriable = false;
  constructor(
    readonly code: FeaturesErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
