import { scoreEvents } from '@ridestream/batch';
import { FEATURE_SPECS, type PredictionKind } from '@ridestream/features';
import { createProducerService, replayRides } from '@ridestream/producer';
import { createKafkaRidesPublisher } from '@ridestream/kafka';
import { createModel } from '@ridestream/model';
import { brokers, collect, freshTopics, testKafka, testLogger, waitFor, type Collector } from '@ridestream/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  countByRide,
  modelPath,
  predictionsOf,
  realRideEvents,
  startConsumer,
  type ConsumerUnderTest,
} from './helpers';

const RIDES = 10_000;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ride flow: HTTP producer -> rides topic -> both consumers -> prediction topics', () => {
  it(`scores ${RIDES} real rides on the ride's clock exactly once per model, each on its event, equal to the offline score`, async () => {
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
    const consumers = {} as Record<PredictionKind, ConsumerUnderTest>;
    for (const [kind, output] of [
      ['duration', durationOut],
      ['tip', tipOut],
    ] as const) {
      const c = await startConsumer(kind, { INPUT_TOPIC: rides, OUTPUT_TOPIC: output, DEAD_LETTER_TOPIC: dlq });
      consumers[kind] = c;
      cleanups.push(() => c.service.stop());
    }

    // Each ride's started, completed and paid, pickups and drop-offs interleaved as they happened.
    const events = await realRideEvents(RIDES);
    const sent = await replayRides({
      events,
      url: `http://127.0.0.1:${producer.http.port()}`,
      ratePerSec: 0,
      batchSize: 250,
      concurrency: 4,
    });
    expect(sent.sent).toBe(3 * RIDES);

    for (const kind of ['duration', 'tip'] as const) {
      await waitFor(() => collectors[kind].messages.length >= RIDES, `${RIDES} ${kind} predictions`, 120_000);
      const predictions = predictionsOf(collectors[kind].messages, kind);
      const counts = countByRide(predictions);
      expect(counts.size).toBe(RIDES);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);

      // Each prediction names the event its kind scores, at that event's time.
      const scored = events.filter((e) => e.type === FEATURE_SPECS[kind].eventType);
      const byRide = new Map(predictions.map((p) => [p.rideId, p]));
      const wrongEvent = scored.filter((e) => {
        const p = byRide.get(e.rideId)!;
        return p.event.id !== e.eventId || p.event.type !== e.type || p.eventTime !== e.occurredAt;
      });
      expect(wrongEvent.map((e) => e.eventId)).toEqual([]);
      // The two other event types of every ride were skipped, counted by type, never dead-lettered.
      const others = Object.fromEntries(
        ['ride.started', 'ride.completed', 'ride.paid']
          .filter((t) => t !== FEATURE_SPECS[kind].eventType)
          .map((t) => [t, RIDES]),
      );
      await waitFor(
        async () => Object.values(await consumers[kind].skipped()).reduce((a, b) => a + b, 0) >= 2 * RIDES,
        `${kind}: skipped`,
      );
      expect(await consumers[kind].skipped()).toEqual(others);

      const model = await createModel({ path: modelPath(kind), features: FEATURE_SPECS[kind] });
      cleanups.push(() => model.dispose());
      const offline = await scoreEvents(model, kind, scored);
      let worst = 0;
      scored.forEach((e, i) => (worst = Math.max(worst, Math.abs(byRide.get(e.rideId)!.value - offline[i]!))));
      expect(worst).toBeLessThanOrEqual(1e-4);
      expect(new Set(predictions.map((p) => `${p.model.name}@${p.model.version}`))).toEqual(
        new Set([`${model.info.name}@${model.info.version}`]),
      );
    }
  });
});
