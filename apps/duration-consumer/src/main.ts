/**
 * duration-consumer: scores every ride event on `rides` with the ride-duration model and publishes the refined
 * duration to `ride-duration-predictions`, on Kafka (default) or Kinesis (`TRANSPORT=kinesis`).
 * A composition root: config -> logger -> model -> service -> run.
 */
import { createKinesisConsumerService } from '@ridestream/kinesis';
import { createLogger, exitOnStartupError, runService } from '@ridestream/runtime';
import { createConsumerService } from '@ridestream/stream-consumer';
import { loadScorer } from '@ridestream/stream-consumer/scoring';
import { loadConfig } from './config';

const SERVICE = 'duration-consumer';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: SERVICE, level: config.env.LOG_LEVEL });
  const scorer = await loadScorer({
    kind: 'duration',
    modelPath: config.env.MODEL_PATH,
    worker: config.env.SCORING_WORKER,
    workerMinRecords: config.env.SCORING_WORKER_MIN_RECORDS,
  });
  const { name: model, version, sha256 } = scorer.model;
  logger.info(
    { model, version, sha256, transport: config.transport, worker: config.env.SCORING_WORKER },
    'model loaded',
  );
  const service =
    config.transport === 'kinesis'
      ? createKinesisConsumerService({ config: config.env, scorer, logger })
      : createConsumerService({ config: config.env, scorer, logger });
  await runService(service, { logger, shutdownTimeoutMs: config.env.SHUTDOWN_TIMEOUT_MS });
}

main().catch(exitOnStartupError(SERVICE));
