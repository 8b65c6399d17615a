import { FEATURE_SPECS, parseRideEvent } from '@ridestream/features';
import { brokers, collect, spawnTsx, testKafka, waitForAll, type Collector } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { predictionsOf, realCleanRides } from './helpers';
import { deadLetterLines, expectPredictions } from './support/predictions';

const RIDES = 500;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('npm start', () => {
  it('runs the three services as processes and gets both predictions for every replayed ride', async () => {
    const start = spawnTsx('tools/dev/start.ts', {
      args: ['--rides', String(RIDES), '--rate', '0', '--exit-when-done', '--no-view'],
      env: { KAFKA_BROKERS: brokers().join(',') },
    });
    cleanups.push(async () => start.kill());
    const code = await start.exited;
    const output = start.output();
    expect(code, output).toBe(0);
    // The web dashboard ran beside them (its /readyz answered) and its address was printed.
    expect(output).toMatch(/\[start\] dashboard: http:\/\/127\.0\.0\.1:\d+\//);

    // The tool's own verdict is not the test: read back its (shared, default-named) topics, keeping this run's rides.
    const prefix = /ride ids (start-[0-9a-f]{8})-<row>/.exec(output)?.[1];
    expect(prefix, `the run's ride id prefix in:\n${output}`).toBeDefined();
    // The same rides, computed here from the same month: what the replay must have sent.
    const rides = await realCleanRides(RIDES, prefix);
    const kafka = testKafka();
    const topic = async (name: string): Promise<Collector> => {
      const c = await collect(kafka, name);
      cleanups.push(() => c.stop());
      return c;
    };
    const [input, duration, tip, dlq] = await Promise.all([
      topic('rides'),
      topic('ride-duration-predictions'),
      topic('tip-predictions'),
      topic('rides.dlq'),
    ]);
    const mine = (c: Collector) => c.messages.filter((m) => String(m.key).startsWith(`${prefix}-`));
    const events = rides.flatMap((r) => [r.started, r.completed, r.paid]);
    await waitForAll(
      events.map((e) => e.eventId),
      () => mine(input).map((m) => (JSON.parse(String(m.value)) as { eventId: string }).eventId),
      'the replayed events on rides',
    );
    const ids = rides.map((r) => r.rideId);
    await waitForAll(ids, () => mine(duration).map((m) => String(m.key)), 'predictions on ride-duration-predictions');
    await waitForAll(ids, () => mine(tip).map((m) => String(m.key)), 'predictions on tip-predictions');

    // Every event once on the input, each valid under the contract.
    const sent = mine(input).map((m) => parseRideEvent(String(m.value)));
    expect(
      sent.filter((r) => !r.ok),
      'invalid events on rides',
    ).toEqual([]);
    const times = new Map<string, number>();
    for (const r of sent) if (r.ok) times.set(r.value.eventId, (times.get(r.value.eventId) ?? 0) + 1);
    const repeated = [...times].filter(([, n]) => n > 1).map(([id, n]) => `${id}: ${n} times`);
    expect(repeated.slice(0, 20), `events of this run on rides more than once (${repeated.length})`).toEqual([]);
    // A duration at pickup and a tip at drop-off for each ride, of the event its kind scores; no repeats in a
    // run without crashes; nothing of this run dead-lettered.
    for (const [kind, c] of [
      ['duration', duration],
      ['tip', tip],
    ] as const) {
      const scored = rides.map((r) => (FEATURE_SPECS[kind].eventType === 'ride.started' ? r.started : r.completed));
      expectPredictions(predictionsOf(mine(c), kind), scored, { repeats: 'none' });
    }
    await dlq.readToEnd();
    expect(deadLetterLines(mine(dlq)), 'dead letters of this run on rides.dlq').toEqual([]);
  });
});
