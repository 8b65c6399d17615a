export const TLC_ERROR_CODES = ['FILE_UNREADABLE', 'MISSING_COLUMN', 'WRONG_TYPE', 'NO_ROWS'] as const;
export type TlcErrorCode = (typeof TLC_ERROR_CODES)[number];

/** A TLC file we cannot use. Names the file and, where it applies, the column. */
export class TlcError extends Error {
  override readonly name = 'TlcError';
  readonly retriable = false;
  constructor(
    readonly code: TlcErrorCode,
    message: string,
    readonly file: string,
    readonly column?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
