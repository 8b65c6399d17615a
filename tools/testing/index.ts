export { brokers, collect, freshTopics, testKafka, testLogger, unique, waitFor } from './kafka';
export type { Collector } from './kafka';
