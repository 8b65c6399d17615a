/**
 * duration-consumer: scores every ride event on `rides` with the ride-duration model and publishes the refined
 * duration to `ride-duration-predictions`, on Kafka (default) or Kinesis (`TRANSPORT=kinesis`).
 * A composition root: config -> logger -> model -> service -> run.
 */
import { createKinesisConsumerService } from '@ridestream/kinesis';
import { createModel } from '@ridestream/model';
import { createLogger, exitOnStartupError, runService } from '@ridestream/runtime';
import { createConsumerService } from '@ridestream/stream-consumer';
import { loadConfig } from './config';

const SERVICE = 'duration-consumer';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: SERVICE, level: config.env.LOG_LEVEL });
  const model = await createModel({ path: config.env.MODEL_PATH });
  logger.info(
    { model: model.info.name, version: model.info.version, sha256: model.info.sha256, transport: config.transport },
    'model loaded',
  );
  const service =
    config.transport === 'kinesis'
      ? createKinesisConsumerService({ kind: 'duration', config: config.env, model, logger })
      : createConsumerService({ kind: 'duration', config: config.env, model, logger });
  await runService(service, { logger, shutdownTimeoutMs: config.env.SHUTDOWN_TIMEOUT_MS });
}

main().catch(exitOnStartupError(SERVICE));
