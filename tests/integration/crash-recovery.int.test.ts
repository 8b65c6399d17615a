/**
 * kill -9 of a real consumer process in the middle of the stream, then a restart: nothing is lost, and in
 * exactly-once mode a read_committed subscriber sees no duplicate (Kafka's own way of testing its guarantees:
 * unique ids in, hard kills, compare the sets).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { brokers, collect, freshTopics, testKafka, unique, waitFor } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { countByRide, modelPath, predictionsOf, produceAll, realRides } from './helpers';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function startConsumerProcess(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/duration-consumer/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers().join(','),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      MODEL_PATH: modelPath('duration'),
      ...env,
    },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

describe.each([
  ['at-least-once', 'false'],
  ['exactly-once', 'true'],
])('%s consumer killed with SIGKILL mid-stream', (mode, exactlyOnce) => {
  it('loses no ride after a restart', async () => {
    const kafka = testKafka();
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq'], 2);
    const rides = await realRides(6000);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await produceAll(
      producer,
      input,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
    await producer.disconnect();

    // kafkajs consumers read committed data only (read_committed): what a subscriber would see.
    const out = await collect(kafka, output);
    try {
      const env = {
        INPUT_TOPIC: input,
        OUTPUT_TOPIC: output,
        DEAD_LETTER_TOPIC: dlq,
        CONSUMER_GROUP: unique('duration-consumer'),
        BATCH_SIZE: '50',
        // The survivor waits this long for the killed member before the group moves on.
        SESSION_TIMEOUT_MS: '6000',
        EXACTLY_ONCE: exactlyOnce,
      };
      const first = startConsumerProcess(env);
      await waitFor(() => out.messages.length >= 500, 'the first process to be mid-stream', 90_000);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const beforeRestart = out.messages.length;
      expect(beforeRestart).toBeLessThan(rides.length);

      startConsumerProcess(env);
      await waitFor(
        () => countByRide(predictionsOf(out.messages, 'duration')).size >= rides.length,
        'every ride scored after the restart',
        90_000,
      );
      const counts = countByRide(predictionsOf(out.messages, 'duration'));
      expect(rides.filter((r) => !counts.has(r.rideId))).toEqual([]);
      const duplicates = [...counts.values()].filter((n) => n > 1).length;
      if (mode === 'exactly-once') expect(duplicates).toBe(0);
      // At-least-once redoes at most the uncommitted chunk of each partition (2 partitions x BATCH_SIZE 50).
      else expect(duplicates).toBeLessThanOrEqual(100);
    } finally {
      await out.stop();
    }
  });
});
