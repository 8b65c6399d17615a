import { RidestreamError } from '@ridestream/runtime';

export const TLC_ERROR_CODES = ['FILE_UNREADABLE', 'MISSING_COLUMN', 'WRONG_TYPE', 'NO_ROWS'] as const;
export type TlcErrorCode = (typeof TLC_ERROR_CODES)[number];

/** The file, and where it applies the column, that a TLC error is about. */
export interface TlcErrorContext {
  readonly file: string;
  readonly column?: string;
}

/** A TLC file we cannot use (never retriable: the same file fails the same way). Names the file and the column. */
export class TlcError extends RidestreamError<TlcErrorCode, TlcErrorContext> {
  override readonly name = 'TlcError';
}
