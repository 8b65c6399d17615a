/**
 * duration-consumer: scores every ride event on `rides` with the ride-duration model and publishes the refined
 * duration to `ride-duration-predictions`. A composition root: config -> logger -> model -> service -> run.
 */
import { createModel } from '@ridestream/model';
import { ConfigError, createLogger, runService } from '@ridestream/runtime';
import { createConsumerService } from '@ridestream/stream-consumer';
import { loadConfig } from './config';

const SERVICE = 'duration-consumer';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: SERVICE, level: config.LOG_LEVEL });
  const model = await createModel({ path: config.MODEL_PATH });
  logger.info({ model: model.info.name, version: model.info.version, sha256: model.info.sha256 }, 'model loaded');
  const service = createConsumerService({ kind: 'duration', config, model, logger });
  await runService(service, { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
}

main().catch((err: unknown) => {
  // Startup errors (bad config, missing model) end here, before any logger may exist: one clear line, exit 1.
  const reason =
    err instanceof ConfigError
      ? `invalid configuration:\n${err.issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`
      : (err as Error).message;
  console.error(`${SERVICE}: cannot start: ${reason}`);
  process.exit(1);
});
