import type { PredictionKind } from '@ridestream/features';
import { createKafkaConsumerService } from '@ridestream/kafka';
import { createKinesisConsumerService } from '@ridestream/kinesis';
import { createLogger, exitOnStartupError, runService } from '@ridestream/runtime';
import { CONSUMERS, type ConsumerConfig } from './config';
import { loadServingModels } from './serving-model';

/**
 * The whole of a consumer app: config (read inside, so that a bad environment exits 1 with every bad variable
 * named, like any startup failure) -> logger -> scorer (the model, in a worker thread unless SCORING_WORKER=false) ->
 * the service of the configured transport -> run until a signal. A startup failure exits 1 naming the app.
 *
 * @example
 * // apps/tip-consumer/src/main.ts
 * void consumerMain('tip', () => loadConfig(process.env));
 */
export function consumerMain(kind: PredictionKind, loadConfig: () => ConsumerConfig): Promise<void> {
  return run(kind, loadConfig).catch(exitOnStartupError(CONSUMERS[kind].name));
}

async function run(kind: PredictionKind, loadConfig: () => ConsumerConfig): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: CONSUMERS[kind].name, level: config.env.LOG_LEVEL });
  const { scorer, shadow, registerMetrics } = await loadServingModels(kind, config.env, logger);
  const { name: model, version, sha256 } = scorer.model;
  logger.info(
    {
      model,
      version,
      sha256,
      uri: config.env.MODEL_URI ?? config.env.MODEL_PATH,
      shadow: shadow && `${shadow.model.name}@${shadow.model.version}`,
      transport: config.transport,
      worker: config.env.SCORING_WORKER,
    },
    'model loaded',
  );
  const service =
    config.transport === 'kinesis'
      ? createKinesisConsumerService({ config: config.env, scorer, shadow, logger })
      : createKafkaConsumerService({ config: config.env, scorer, shadow, logger });
  registerMetrics(service.registry);
  await runService(service, { logger, shutdownTimeoutMs: config.env.SHUTDOWN_TIMEOUT_MS });
}
