/**
 * dashboard: the live system in a browser. Reads the rides, prediction and dead-letter topics (Kafka) or streams
 * (`TRANSPORT=kinesis`), scrapes the services' /metrics, and serves a page fed by server-sent events.
 */
import { createDashboardService, openKafkaTap, openKinesisTap, type TapOptions } from '@ridestream/dashboard';
import { kafkaConnectionFromEnv } from '@ridestream/kafka';
import { awsConnectionsFromEnv, createKinesisClient } from '@ridestream/kinesis';
import { createLogger, exitOnStartupError, runService, type Logger } from '@ridestream/runtime';
import { loadConfig, type Config } from './config';

type Handlers = Pick<TapOptions, 'onRecords' | 'onError'>;

/** The transport's reader and the label the page shows. */
function transportOf(
  config: Config,
  logger: Logger,
): { label: string; monitorSource?: string; openTap: (h: Handlers) => ReturnType<typeof openKafkaTap> } {
  const { env } = config;
  if (config.transport === 'kinesis') {
    const connection = awsConnectionsFromEnv(config.env).kinesis;
    const streams = {
      rides: config.env.RIDES_STREAM,
      predictions: config.env.PREDICTION_STREAMS,
      deadLetters: config.env.DEAD_LETTER_STREAM,
    };
    return {
      label: `Kinesis ${connection.endpoint ?? connection.region}`,
      openTap: (h) => {
        const client = createKinesisClient(connection);
        const tap = openKinesisTap({ ...h, client, streams, fromBeginning: env.FROM_BEGINNING });
        return { start: tap.start, stop: () => tap.stop().finally(() => client.destroy()) };
      },
    };
  }
  const connection = kafkaConnectionFromEnv(config.env, 'dashboard');
  const streams = {
    rides: config.env.RIDES_TOPIC,
    predictions: config.env.PREDICTION_TOPICS,
    deadLetters: config.env.DEAD_LETTER_TOPIC,
    ...(config.env.METRICS_TOPIC ? { metrics: config.env.METRICS_TOPIC } : {}),
  };
  return {
    label: `Kafka ${connection.brokers.join(',')}`,
    ...(config.env.METRICS_TOPIC ? { monitorSource: config.env.METRICS_TOPIC } : {}),
    openTap: (h) => openKafkaTap({ ...h, connection, logger, streams, fromBeginning: env.FROM_BEGINNING }),
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { env } = config;
  const logger = createLogger({ name: 'dashboard', level: env.LOG_LEVEL });
  // The monitor runs on Kafka only: on Kinesis there is no metrics stream to read yet.
  const { label, openTap, monitorSource } = transportOf(config, logger);
  const service = createDashboardService({
    openTap,
    transport: label,
    targets: env.SCRAPE_TARGETS,
    host: env.HTTP_HOST,
    port: env.HTTP_PORT,
    tickMs: env.TICK_MS,
    scrapeMs: env.SCRAPE_INTERVAL_MS,
    historyFrames: env.HISTORY_FRAMES,
    ...(monitorSource ? { monitorSource } : {}),
    logger,
  });
  await runService(service, { logger, shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS });
}

main().catch(exitOnStartupError('dashboard'));
