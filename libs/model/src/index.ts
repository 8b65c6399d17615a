export { MODEL_ERROR_CODES, ModelError } from './errors';
export type { ModelErrorCode } from './errors';
export { createModel, INPUT_NAME, OUTPUT_NAME, readModelCard } from './model';
export type { CreateModelOptions, Model, ModelFeatures, ModelInfo } from './model';
export { modelCardSchema } from './model-card';
export type { ModelCard } from './model-card';
