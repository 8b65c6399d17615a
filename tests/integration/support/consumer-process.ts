import type { PredictionKind } from '@ridestream/features';
import { spawnTsx, type TestProcess } from '@ridestream/testing';

/** A consumer app (`apps/<kind>-consumer`) running as its own process, as it runs in production. */
export type ConsumerProcess = TestProcess;

/**
 * Starts `apps/<kind>-consumer/src/main.ts` with exactly `env` on top of PATH/HOME-like basics. The caller's
 * KAFKA_* variables are the only Kafka settings the app sees: no shared-broker address leaks in from the test run.
 */
export function startConsumerProcess(kind: PredictionKind, env: Record<string, string>): ConsumerProcess {
  return spawnTsx(`apps/${kind}-consumer/src/main.ts`, {
    baseEnv: 'minimal',
    env: { HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', ...env },
  });
}
