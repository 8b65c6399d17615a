import { scoreEvents } from '@ridestream/batch';
import { FEATURE_SPECS } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { DLQ_HEADERS } from '@ridestream/stream-core';
import { collect, freshTopics, testKafka, unique, waitFor, waitForAll, type Collector } from '@ridestream/testing';
import type { Kafka, Producer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  modelPath,
  predictionsOf,
  produceAll,
  realCleanRides,
  realRides,
  startConsumer,
  type ConsumerUnderTest,
} from './helpers';
import { deadLetterLines, expectPredictions, valueProblems } from './support/predictions';

const everyRide = (rides: readonly { rideId: string }[], out: Collector) =>
  waitForAll(
    rides.map((r) => r.rideId),
    () => out.keys(),
    `predictions on ${out.topic}`,
  );

let kafka: Kafka;
let producer: Producer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  kafka = testKafka();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function consumer(kind: 'duration' | 'tip', env: Record<string, string>): Promise<ConsumerUnderTest> {
  const c = await startConsumer(kind, env);
  cleanups.push(() => c.service.stop());
  return c;
}
async function collector(topic: string): Promise<Collector> {
  const c = await collect(kafka, topic);
  cleanups.push(() => c.stop());
  return c;
}

describe('duration-consumer on the real broker', () => {
  it('scores valid rides and dead-letters bad ones with the reason, without stopping the partition', async () => {
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq']);
    const rides = await realRides(300);
    const bad: { key: string; value: Buffer | string; code: string; field?: string }[] = [
      { key: 'bad-json', value: '{"rideId": "x", ', code: 'INVALID_JSON' },
      { key: 'bad-bytes', value: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]), code: 'INVALID_JSON' },
      {
        key: 'bad-zone',
        value: JSON.stringify({ ...rides[0], rideId: 'bad-zone', puLocationId: 999 }),
        code: 'INVALID_EVENT',
        field: 'puLocationId',
      },
      {
        key: 'bad-type',
        value: JSON.stringify({ ...rides[0], rideId: 'bad-type', plannedDistance: 'far' }),
        code: 'INVALID_EVENT',
        field: 'plannedDistance',
      },
      {
        key: 'bad-missing',
        value: JSON.stringify({ ...rides[0], rideId: 'bad-missing', occurredAt: undefined }),
        code: 'INVALID_EVENT',
        field: 'occurredAt',
      },
      {
        key: 'bad-v1',
        value: JSON.stringify({ ...rides[0], rideId: 'bad-v1', schemaVersion: 1 }),
        code: 'CONTRACT_VERSION_RETIRED',
        field: 'schemaVersion',
      },
    ];
    // Poison records interleaved with valid ones, all with the same key so they share one partition.
    const messages = rides.flatMap((r, i) => [
      { key: 'k', value: JSON.stringify(r) },
      ...(i % 50 === 0 && bad[i / 50]
        ? [{ key: 'k', value: bad[i / 50]!.value, headers: { 'x-test-id': bad[i / 50]!.key } }]
        : []),
    ]);
    await produceAll(producer, input, messages);

    const out = await collector(output);
    const dead = await collector(dlq);
    const c = await consumer('duration', {
      INPUT_TOPIC: input,
      OUTPUT_TOPIC: output,
      DEAD_LETTER_TOPIC: dlq,
      BATCH_SIZE: '64',
    });
    // All valid rides share key 'k' here: wait on their predictions' ride ids, not on the message keys.
    await waitForAll(
      rides.map((r) => r.rideId),
      () => predictionsOf(out.messages, 'duration').map((p) => p.rideId),
      `predictions on ${output}`,
    );
    await waitFor(
      () => dead.messages.length >= bad.length,
      () => `dead letters on ${dlq}: ${dead.messages.length} of ${bad.length}`,
    );

    // The poison between them held back no ride, and none was scored as something else.
    expectPredictions(predictionsOf(out.messages, 'duration'), rides, { repeats: 'none' });
    expect(dead.messages).toHaveLength(bad.length);
    for (const b of bad) {
      const m = dead.messages.find((d) => String(d.headers?.['x-test-id']) === b.key);
      expect(m, b.key).toBeDefined();
      const h = Object.fromEntries(Object.entries(m!.headers ?? {}).map(([k, v]) => [k, String(v)]));
      expect(h[DLQ_HEADERS.code]).toBe(b.code);
      expect(h[DLQ_HEADERS.sourceStream]).toBe(input);
      expect(h[DLQ_HEADERS.sourcePosition]).toMatch(/^\d+$/);
      expect(h[DLQ_HEADERS.consumer]).toMatch(/^duration-consumer-/);
      expect(h[DLQ_HEADERS.modelVersion]).toMatch(/^ride-duration@/);
      if (b.field) expect(JSON.parse(h[DLQ_HEADERS.issues]!).map((i: { path: string }) => i.path)).toContain(b.field);
      // The original bytes, untouched, so the record can be replayed once fixed.
      expect(Buffer.compare(m!.value!, Buffer.from(b.value))).toBe(0);
    }
    expect(await c.scored()).toBe(rides.length);
    const metrics = await (await fetch(`http://127.0.0.1:${c.service.ops.port()}/metrics`)).text();
    expect(metrics).toMatch(/ridestream_records_total\{outcome="rejected",consumer="[^"]+"\} 6/);
  });

  it('publishes the same value as offline scoring, stamped with the model version', async () => {
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq']);
    const rides = await realRides(1000);
    await produceAll(
      producer,
      input,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
    const out = await collector(output);
    await consumer('duration', { INPUT_TOPIC: input, OUTPUT_TOPIC: output, DEAD_LETTER_TOPIC: dlq });
    const dead = await collector(dlq);
    await everyRide(rides, out);

    const model = await createModel({ path: modelPath('duration'), features: FEATURE_SPECS.duration });
    cleanups.push(() => model.dispose());
    const predictions = predictionsOf(out.messages, 'duration');
    // Each prediction names its ride's event, time and the model version; the values are the offline ones.
    expectPredictions(predictions, rides, { repeats: 'none', model: model.info });
    const offline = await scoreEvents(model, 'duration', rides);
    expect(valueProblems(predictions, rides, offline), 'streamed vs offline scoring').toEqual([]);
    await dead.readToEnd();
    expect(deadLetterLines(dead.messages), `dead letters for valid rides on ${dlq}`).toEqual([]);
    // Keyed by ride id: a subscriber sees every prediction of a ride on one partition, in order.
    expect(out.messages.every((m) => String(m.key) === JSON.parse(String(m.value)).rideId)).toBe(true);
  });

  it('shares the partitions between two instances of one group, and scores each ride once', async () => {
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq'], 4);
    const rides = await realRides(4000);
    const group = unique('duration-consumer');
    const env = {
      INPUT_TOPIC: input,
      OUTPUT_TOPIC: output,
      DEAD_LETTER_TOPIC: dlq,
      CONSUMER_GROUP: group,
      BATCH_SIZE: '100',
    };
    const a = await consumer('duration', env);
    const b = await consumer('duration', env);
    await waitFor(() => a.service.isReady() && b.service.isReady(), 'both instances in the group');
    const out = await collector(output);
    await produceAll(
      producer,
      input,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
    await everyRide(rides, out);

    const [scoredA, scoredB] = [await a.scored(), await b.scored()];
    expect(scoredA, 'scored by instance a').toBeGreaterThan(0);
    expect(scoredB, 'scored by instance b').toBeGreaterThan(0);
    expect(scoredA + scoredB, 'scored by both').toBe(rides.length);
    expectPredictions(predictionsOf(out.messages, 'duration'), rides, { repeats: 'none' });
  });

  it('loses nothing when stopped in the middle of a batch, and the next instance resumes after the commit', async () => {
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq'], 1);
    const rides = await realRides(5000);
    const env = {
      INPUT_TOPIC: input,
      OUTPUT_TOPIC: output,
      DEAD_LETTER_TOPIC: dlq,
      CONSUMER_GROUP: unique('duration-consumer'),
      BATCH_SIZE: '20',
    };
    await produceAll(
      producer,
      input,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
    const out = await collector(output);
    const first = await startConsumer('duration', env);
    await waitFor(() => out.messages.length >= 200, 'the first instance to be mid-stream');
    await first.service.stop();
    const scoredByFirst = await first.scored();
    expect(scoredByFirst).toBeLessThan(rides.length);

    await consumer('duration', env);
    await everyRide(rides, out);
    // A graceful stop commits what it published: nothing is scored twice.
    expectPredictions(predictionsOf(out.messages, 'duration'), rides, { repeats: 'none' });
  });
});

describe('tip-consumer on the real broker: late, out-of-order, repeated and wrong-type events', () => {
  it('scores ride.completed whatever came before, skips other types with a metric, dead-letters v1 and impossible rides', async () => {
    // One partition everywhere: the predictions come out in the order the consumer saw the events.
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq'], 1);
    const [a, b, c, d] = await realCleanRides(4);
    const backwards = {
      ...d!.completed,
      eventId: 'backwards:completed',
      rideId: 'backwards',
      occurredAt: '2024-01-01T00:00:00-05:00',
    };
    const v1 = {
      schemaVersion: 1,
      rideId: 'v1',
      vendorId: 2,
      pickupAt: a!.started.occurredAt,
      puLocationId: 74,
      doLocationId: 236,
      tripDistance: 2,
      passengerCount: 1,
      paymentType: 1,
      fareAmount: 10,
    };
    const sent = [
      a!.started, // wrong type for the tip consumer: skipped
      a!.completed, // in order
      b!.completed, // its ride.started never comes: scored anyway
      c!.completed, // out of order: before its own ride.started
      c!.started,
      c!.completed, // a duplicate: scored again, same prediction id
      a!.paid, // wrong type: skipped
      backwards, // drop-off before its pickup
      v1, // retired contract
    ];
    // One key, one partition: the order above is the order the consumer sees.
    await produceAll(
      producer,
      input,
      sent.map((e) => ({ key: 'k', value: JSON.stringify(e) })),
    );
    const out = await collector(output);
    const dead = await collector(dlq);
    const tip = await consumer('tip', { INPUT_TOPIC: input, OUTPUT_TOPIC: output, DEAD_LETTER_TOPIC: dlq });
    await waitFor(() => out.messages.length >= 4 && dead.messages.length >= 2, 'predictions and dead letters');
    await waitFor(async () => Object.keys(await tip.skipped()).length >= 2, 'the skip metric');

    const predictions = predictionsOf(out.messages, 'tip');
    expect(predictions.map((p) => p.event.id)).toEqual([
      a!.completed.eventId,
      b!.completed.eventId,
      c!.completed.eventId,
      c!.completed.eventId,
    ]);
    expect(predictions[3]!.predictionId).toBe(predictions[2]!.predictionId);
    expect(predictions[2]!.eventTime).toBe(c!.completed.occurredAt);
    const codes = dead.messages.map((m) => String(m.headers?.[DLQ_HEADERS.code]));
    expect(codes).toEqual(['DROPOFF_BEFORE_PICKUP', 'CONTRACT_VERSION_RETIRED']);
    expect(String(dead.messages[0]!.headers?.[DLQ_HEADERS.issues])).toContain('occurredAt');
    expect(String(dead.messages[1]!.headers?.[DLQ_HEADERS.reason])).toMatch(/retired.*schemaVersion 2/);
    expect(await tip.skipped()).toEqual({ 'ride.started': 2, 'ride.paid': 1 });
    expect(await tip.scored()).toBe(4);
  });
});
