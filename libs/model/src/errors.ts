export const MODEL_ERROR_CODES = [
  'MODEL_NOT_FOUND',
  'MODEL_CORRUPT',
  'MODEL_SIGNATURE',
  'MODEL_CARD_INVALID',
  'MODEL_INPUT_SHAPE',
  'MODEL_RUN_FAILED',
  'MODEL_REGISTRY',
  'MODEL_URI_INVALID',
  'MODEL_SOURCE_UNREACHABLE',
] as const;
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

/**
 * Load-time errors stop startup; run-time errors dead-letter the batch's rides (the same input fails the same way).
 * `MODEL_SOURCE_UNREACHABLE` is the one retriable load error: the registry or the store may answer a moment later.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown; path?: string; uri?: string },
  ) {
    super(message, options);
    this.path = options?.path;
    this.uri = options?.uri;
  }
  readonly path: string | undefined;
  /** The MODEL_URI being resolved, for errors met before there is a local file. */
  readonly uri: string | undefined;
}
