/**
 * subscriber (`npm run subscribe`): prints validated predictions from a prediction topic as JSON lines, for app teams to see what they
 * will consume. `KAFKA_BROKERS=127.0.0.1:9092 tsx apps/subscriber/src/main.ts --topic tip-predictions --from-beginning`
 */
import { kafkaConnectionFromEnv } from '@ridestream/kafka';
import { createLogger } from '@ridestream/runtime';
import { subscribePredictions } from '@ridestream/kafka';
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
    const finished = new Promise<void>((r) => (done = r));
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
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    await sub.start();
    await finished;
    await sub.stop();
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`subscribe: ${(err as Error).message}`);
  process.exit(1);
});
