export { CONTRACT_DOCUMENT_VERSION, CONTRACT_MESSAGES, JSON_SCHEMA_OPTIONS, componentSchemas } from './messages';
export type { ContractMessageName } from './messages';
export {
  HTTP_COMPONENTS,
  acceptedResponseSchema,
  errorResponseSchema,
  invalidRideResponseSchema,
  predictResponseSchema,
  rideBatchRequestSchema,
} from './http';
export { predictionApiOpenApi, producerOpenApi } from './openapi';
