export { consumerConfigSchemas, CONSUMERS, loadConsumerConfig } from './config';
export type { ConsumerConfig } from './config';
export { consumerMain } from './main';
