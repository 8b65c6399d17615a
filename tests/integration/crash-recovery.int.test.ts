/**
 * kill -9 of a real consumer process in the middle of the stream, then a restart: nothing is lost, and in
 * exactly-once mode a read_committed subscriber sees no duplicate (Kafka's own way of testing its guarantees:
 * unique ids in, hard kills, compare the sets).
 */
import {
  brokers,
  collect,
  freshTopics,
  spawnTsx,
  testKafka,
  unique,
  waitFor,
  waitForAll,
  type TestProcess,
} from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { modelPath, predictionsOf, produceRides, realRides } from './helpers';
import { deliveryModes } from './support/kafka-client';
import { deadLetterLines, expectPredictions } from './support/predictions';

const children: TestProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

function startConsumerProcess(env: Record<string, string>): TestProcess {
  const child = spawnTsx('apps/duration-consumer/src/main.ts', {
    env: {
      KAFKA_BROKERS: brokers().join(','),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      MODEL_PATH: modelPath('duration'),
      ...env,
    },
  });
  children.push(child);
  return child;
}

describe.each(deliveryModes().map((mode) => [mode, String(mode === 'exactly-once')] as const))(
  '%s consumer killed with SIGKILL mid-stream',
  (mode, exactlyOnce) => {
    it('loses no ride after a restart', async () => {
      const kafka = testKafka();
      const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq'], 2);
      const rides = await realRides(6000);
      await produceRides(kafka, input, rides);

      // kafkajs consumers read committed data only (read_committed): what a subscriber would see.
      const out = await collect(kafka, output);
      const dead = await collect(kafka, dlq);
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
        first.kill();
        await first.exited;
        expect(out.messages.length, 'predictions when the first process was killed').toBeLessThan(rides.length);

        startConsumerProcess(env);
        await waitForAll(
          rides.map((r) => r.rideId),
          () => out.keys(),
          `predictions on ${output} after the restart`,
          { timeoutMs: 90_000 },
        );
        // At-least-once redoes at most the uncommitted chunk of each partition (2 partitions x BATCH_SIZE 50), each
        // repeat the same prediction; exactly-once shows none. Either way every prediction is its ride's.
        expectPredictions(predictionsOf(out.messages, 'duration'), rides, {
          repeats: mode === 'exactly-once' ? 'none' : 100,
        });
        // Valid rides only: a kill must not turn any into a dead letter.
        await dead.readToEnd();
        expect(deadLetterLines(dead.messages), `dead letters on ${dlq}`).toEqual([]);
      } finally {
        await Promise.all([out.stop(), dead.stop()]);
      }
    });
  },
);
