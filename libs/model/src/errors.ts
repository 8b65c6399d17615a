import { RidestreamError } from '@ridestream/runtime/errors';

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

/** What a model error was about: the local file, and the MODEL_URI being resolved (for errors before a file). */
export interface ModelErrorContext {
  readonly path?: string;
  readonly uri?: string;
}

/**
 * Load-time errors stop startup; run-time errors dead-letter the batch's rides (the same input fails the same way).
 * `MODEL_SOURCE_UNREACHABLE` is the one retriable load error: the registry or the store may answer a moment later.
 */
export class ModelError extends RidestreamError<ModelErrorCode, ModelErrorContext> {
  override readonly name = 'ModelError';
}
