export { consumerConfigSchemas, CONSUMERS, loadConsumerConfig } from './config';
export type { ConsumerConfig } from './config';
export { consumerMain } from './main';
export { loadServingModels } from './serving-model';
export type { ServingModelEnv, ServingModels } from './serving-model';
