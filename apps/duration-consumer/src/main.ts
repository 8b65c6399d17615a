/**
 * duration-consumer: scores every ride event on `rides` with the ride-duration model and publishes the refined
 * duration to `ride-duration-predictions`. A composition root: config -> logger -> model -> service -> run.
 */
import { createModel } from '@ridestream/model';
import { createLogger, exitOnStartupError, runService } from '@ridestream/runtime';
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

main().catch(exitOnStartupError(SERVICE));
