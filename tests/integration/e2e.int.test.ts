import { scoreRides } from '@ridestream/batch';
import type { PredictionKind } from '@ridestream/features';
import { createProducerService, replayRides } from '@ridestream/ingest';
import { createKafkaRidesPublisher } from '@ridestream/kafka';
import { createModel } from '@ridestream/model';
import { brokers, collect, freshTopics, testKafka, testLogger, waitFor, type Collector } from '@ridestream/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { countByRide, modelPath, predictionsOf, realRides, startConsumer } from './helpers';

const RIDES = 10_000;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ride flow: HTTP producer -> rides topic -> both consumers -> prediction topics', () => {
  it(`scores ${RIDES} real rides exactly once per model, each equal to the offline score`, async () => {
    const kafka = testKafka();
    const [rides, durationOut, tipOut, dlq] = await freshTopics(
      kafka,
      ['rides', 'ride-duration-predictions', 'tip-predictions', 'rides.dlq'],
      3,
    );
    const logger = testLogger();
    const producer = createProducerService({
      publisher: createKafkaRidesPublisher({
        kafka: { brokers: brokers(), clientId: 'e2e-producer' },
        topic: rides,
        lingerMs: 5,
        compression: 'none',
        logger,
      }),
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 1024 * 1024,
      maxRidesPerRequest: 1000,
      logger,
    });
    await producer.start();
    cleanups.push(() => producer.stop());
    const collectors: Record<PredictionKind, Collector> = {
      duration: await collect(kafka, durationOut),
      tip: await collect(kafka, tipOut),
    };
    cleanups.push(
      () => collectors.duration.stop(),
      () => collectors.tip.stop(),
    );
    for (const [kind, output] of [
      ['duration', durationOut],
      ['tip', tipOut],
    ] as const) {
      const c = await startConsumer(kind, { INPUT_TOPIC: rides, OUTPUT_TOPIC: output, DEAD_LETTER_TOPIC: dlq });
      cleanups.push(() => c.service.stop());
    }

    const events = await realRides(RIDES);
    const sent = await replayRides({
      rides: events,
      url: `http://127.0.0.1:${producer.http.port()}`,
      ratePerSec: 0,
      batchSize: 250,
      concurrency: 4,
    });
    expect(sent.sent).toBe(RIDES);

    for (const kind of ['duration', 'tip'] as const) {
      await waitFor(() => collectors[kind].messages.length >= RIDES, `${RIDES} ${kind} predictions`, 120_000);
      const predictions = predictionsOf(collectors[kind].messages, kind);
      const counts = countByRide(predictions);
      expect(counts.size).toBe(RIDES);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);

      const model = await createModel({ path: modelPath(kind) });
      cleanups.push(() => model.dispose());
      const offline = await scoreRides(model, events);
      const byRide = new Map(predictions.map((p) => [p.rideId, p]));
      let worst = 0;
      events.forEach((e, i) => (worst = Math.max(worst, Math.abs(byRide.get(e.rideId)!.value - offline[i]!))));
      expect(worst).toBeLessThanOrEqual(1e-4);
      expect(new Set(predictions.map((p) => `${p.model.name}@${p.model.version}`))).toEqual(
        new Set([`${model.info.name}@${model.info.version}`]),
      );
    }
  });
});
