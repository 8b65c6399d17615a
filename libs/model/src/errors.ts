export const MODEL_ERROR_CODES = [
  'MODEL_NOT_FOUND',
  'MODEL_CORRUPT',
  'MODEL_SIGNATURE',
  'MODEL_CARD_INVALID',
  'MODEL_INPUT_SHAPE',
  'MODEL_RUN_FAILED',
  'MODEL_REGISTRY',
] as const;
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

/** Load-time errors stop startup; run-time errors dead-letter the batch's rides (the same input fails the same way). */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown; path?: string },
  ) {
    super(message, options);
    this.path = options?.path;
  }
  readonly path: string | undefined;
}
