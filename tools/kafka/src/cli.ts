/**
 * Local Apache Kafka for ridestream, without Docker:
 *   tsx tools/kafka/src/cli.ts fetch|start|stop|status
 * Human messages go to stderr; `start` and `status` print only the bootstrap address on
 * stdout, so `BROKERS=$(npm run -s kafka:start)` works.
 */
import { ensureKafka, fetchKafka, isKafkaToolError, kafkaStatus, stopKafka } from './index';

const USAGE = 'usage: tsx tools/kafka/src/cli.ts <fetch|start|stop|status>';

const info = (message: string): void => {
  process.stderr.write(`[kafka] ${message}\n`);
};

async function run(command: string | undefined): Promise<number> {
  switch (command) {
    case 'fetch': {
      const { kafkaVersion, fetched } = await fetchKafka();
      info(fetched ? `Kafka ${kafkaVersion} jars fetched` : `Kafka ${kafkaVersion} jars already fetched`);
      return 0;
    }
    case 'start': {
      const { brokers } = await ensureKafka();
      process.stdout.write(`${brokers}\n`);
      return 0;
    }
    case 'stop':
      await stopKafka();
      return 0;
    case 'status': {
      const status = await kafkaStatus();
      const what = status.external ? 'KAFKA_BROKERS cluster' : 'local Kafka broker';
      if (!status.running) {
        info(status.brokers ? `${what} at ${status.brokers} is not answering` : `${what} is not running`);
        return 1;
      }
      info(`${what} running${status.pid ? ` (pid ${status.pid})` : ''}`);
      process.stdout.write(`${status.brokers}\n`);
      return 0;
    }
    default:
      info(USAGE);
      return 2;
  }
}

try {
  process.exitCode = await run(process.argv[2]);
} catch (err) {
  if (isKafkaToolError(err)) {
    info(`error ${err.code}: ${err.message}`);
  } else {
    info(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  process.exitCode = 1;
}
