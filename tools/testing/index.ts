export { brokers, collect, freshTopics, testKafka, testLogger, unique } from './kafka';
export type { Collector } from './kafka';
export { REPO_ROOT, spawnProcess, spawnTsx } from './process';
export type { SpawnOptions, TestProcess } from './process';
export { seededRandom } from './prng';
export { waitFor, waitForAll } from './wait';
export type { WaitOptions } from './wait';
