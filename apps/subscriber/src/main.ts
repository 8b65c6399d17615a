/**
 * subscriber (`npm run subscribe`): prints validated predictions from a prediction topic as JSON lines, for app teams to see what they
 * will consume. `KAFKA_BROKERS=127.0.0.1:9092 tsx apps/subscriber/src/main.ts --topic tip-predictions --from-beginning`
 */
import { kafkaConnectionFromEnv, subscribePredictions } from '@ridestream/kafka';
import { createLogger, exitOnStartupError, once, runService } from '@ridestream/runtime';
import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { loadConfig } from './config';

const program = new Command('subscribe')
  .description('print validated predictions from a prediction topic as JSON lines')
  .option('--topic <topic>', 'ride-duration-predictions | tip-predictions', 'ride-duration-predictions')
  .option('--group <id>', 'consumer group (default: a new one, so you see everything without moving anyone)')
  .option('--from-beginning', 'start at the oldest retained prediction', false)
  .option('--limit <n>', 'stop after n predictions (0 = never)', (v) => Number(v), 0)
  .action(async (opts: { topic: string; group?: string; fromBeginning: boolean; limit: number }) => {
    const config = loadConfig(process.env);
    const logger = createLogger({ name: 'subscriber', level: config.LOG_LEVEL, destination: process.stderr });
    let seen = 0;
    let done: () => void = () => {};
    // Resolves after --limit predictions, or when stdout is closed (`| head`): then the group is left cleanly.
    const finished = new Promise<void>((r) => (done = r));
    process.stdout.on('error', () => done());
    const sub = subscribePredictions({
      connection: kafkaConnectionFromEnv(config, 'ridestream-subscribe'),
      topic: opts.topic,
      groupId: opts.group ?? `subscribe-${randomUUID()}`,
      fromBeginning: opts.fromBeginning,
      logger,
      onPrediction: (p) => {
        process.stdout.write(`${JSON.stringify(p)}\n`);
        if (opts.limit > 0 && ++seen >= opts.limit) done();
      },
      onInvalid: (issues, meta) => logger.warn({ issues, ...meta }, 'skipped a message that is not a valid prediction'),
    });
    // Signals, the deadline and the exit code are the services' own (runService).
    await runService(
      { start: () => sub.start(), stop: once(() => sub.stop()), finished },
      { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS },
    );
  });

program.parseAsync().catch(exitOnStartupError('subscribe'));
