/**
 * The Kafka batch-retry path (issue 16, "untested paths"): a transient failure in the middle of a partition (the
 * model fails once with a retriable error) holds the offset; kafkajs re-reads the partition from the last
 * committed chunk, and every ride still comes out, once, with nothing dead-lettered.
 */
import { FEATURE_SPECS } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { modelScorer } from '@ridestream/stream-core';
import { collect, freshTopics, testKafka, unique, waitForAll } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { metricValue, modelPath, predictionsOf, produceRides, realRides, startConsumer } from './helpers';
import { deadLetterLines, expectPredictions } from './support/predictions';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('duration-consumer on the real broker, a transient scoring failure', () => {
  it('re-reads the partition from the last commit and scores every ride once, dead-lettering none', async () => {
    const kafka = testKafka();
    // One partition: the failure sits between committed chunks and the rest of the partition.
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq'], 1);
    const rides = await realRides(600);
    await produceRides(kafka, input, rides);

    // The real model, failing once, on its fourth chunk, the way a transient fault would (retriable: true).
    const model = await createModel({ path: modelPath('duration'), features: FEATURE_SPECS.duration });
    let calls = 0;
    let failedRows = 0;
    const flaky = {
      info: model.info,
      dispose: () => model.dispose(),
      predict: (features: Float32Array, rows: number) => {
        if (++calls === 4) {
          failedRows = rows;
          return Promise.reject(Object.assign(new Error('model busy (injected)'), { retriable: true }));
        }
        return model.predict(features, rows);
      },
    };
    const out = await collect(kafka, output);
    const dead = await collect(kafka, dlq);
    cleanups.push(
      () => out.stop(),
      () => dead.stop(),
    );
    const c = await startConsumer(
      'duration',
      {
        INPUT_TOPIC: input,
        OUTPUT_TOPIC: output,
        DEAD_LETTER_TOPIC: dlq,
        CONSUMER_GROUP: unique('duration-consumer'),
        BATCH_SIZE: '50',
      },
      undefined,
      modelScorer('duration', flaky),
    );
    cleanups.push(() => c.service.stop());

    await waitForAll(
      rides.map((r) => r.rideId),
      () => out.keys(),
      `predictions on ${output} after the retry`,
    );
    // The path under test was taken: the failed chunk was counted as retried, not scored or dead-lettered...
    expect(failedRows, 'rows of the chunk that failed').toBe(50);
    expect(await metricValue(c.service.registry, 'ridestream_records_total', { outcome: 'retry' })).toBeGreaterThan(0);
    // ...and nothing of it was published before the retry: every ride once, with its own event and version.
    expectPredictions(predictionsOf(out.messages, 'duration'), rides, { repeats: 'none', model: model.info });
    expect(await c.scored(), 'records scored').toBe(rides.length);
    await dead.readToEnd();
    expect(deadLetterLines(dead.messages), `dead letters on ${dlq}`).toEqual([]);
    // The service rode it out: its `finished` neither resolved nor rejected (a crash would exit the process 1).
    const state = await Promise.race([
      (c.service.finished ?? new Promise<never>(() => {})).then(
        () => 'finished',
        (e: unknown) => `crashed: ${(e as Error).message}`,
      ),
      new Promise<string>((resolve) => setImmediate(() => resolve('running'))),
    ]);
    expect(state).toBe('running');
  });
});
