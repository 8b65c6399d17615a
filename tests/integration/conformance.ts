/**
 * One transport conformance suite, run against every adapter (conformance-kafka.int.test.ts,
 * conformance-kinesis.int.test.ts): what a consumer promises whatever carries the rides. Each adapter provides
 * fresh streams, raw publishing, a collector, and a consumer service as its app would compose it.
 */
import { join } from 'node:path';
import { scoreEvents } from '@ridestream/batch';
import { FEATURE_SPECS, type Prediction, type PredictionKind } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { waitFor, waitForAll } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { modelPath, realCleanRides, realRides } from './helpers';
import { expectPredictions, valueProblems } from './support/predictions';

/**
 * The shipped model, or RIDESTREAM_TEST_MODELS/<kind>/model.onnx when that is set: the suite then checks a
 * candidate model (or a stand-in while none is shipped) on both transports.
 */
export const testModelPath = (kind: PredictionKind): string => {
  const dir = process.env['RIDESTREAM_TEST_MODELS']?.trim();
  return dir ? join(dir, kind, 'model.onnx') : modelPath(kind);
};

export interface Streams {
  readonly input: string;
  readonly output: string;
  readonly dlq: string;
}

/** A dead letter as any transport carries it, reduced to what the suite checks. */
export interface DeadLetterView {
  readonly code: string;
  readonly sourceStream: string;
  readonly sourcePosition: string;
  readonly consumer: string;
  readonly original: Buffer;
}

export interface ConsumerHandle {
  stop(): Promise<void>;
  scored(): Promise<number>;
  /** Valid events of another type, by type. */
  skipped(): Promise<Record<string, number>>;
}

export interface Collected<T> {
  items(): T[];
  stop(): Promise<void>;
}

export interface ConformanceAdapter {
  readonly name: string;
  /** The model its consumers serve, for the offline comparison. */
  modelPath(kind: PredictionKind): string;
  /** Fresh input, output and dead-letter streams/topics with `partitions` partitions/shards each. */
  freshStreams(partitions: number): Promise<Streams>;
  publish(stream: string, records: readonly { key: string; value: Buffer | string }[]): Promise<void>;
  collectPredictions(stream: string, kind: PredictionKind): Promise<Collected<Prediction>>;
  collectDeadLetters(stream: string): Promise<Collected<DeadLetterView>>;
  /** A consumer service of `group` (group / application name: instances of one share the work). */
  startConsumer(
    kind: PredictionKind,
    streams: Streams,
    group: string,
    options: { batchSize: number },
  ): Promise<ConsumerHandle>;
}

const ridesOf = (events: readonly { rideId: string }[]) => events.map((e) => e.rideId);
const ridesOut = (c: Collected<Prediction>) => c.items().map((p) => p.rideId);

/** Registers the suite for an adapter; `adapter()` is called inside the tests, after the adapter's beforeAll. */
export function registerConformanceSuite(adapter: () => ConformanceAdapter): void {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const track = <T extends { stop(): Promise<unknown> }>(x: T): T => (cleanups.push(() => x.stop()), x);
  const group = (kind: string) => `${kind}-consumer-${Math.random().toString(36).slice(2, 10)}`;

  describe('transport conformance', () => {
    it('publishes exactly one prediction per ride, equal to offline scoring', async () => {
      const a = adapter();
      const streams = await a.freshStreams(2);
      const rides = await realRides(1000);
      await a.publish(
        streams.input,
        rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
      );
      const out = track(await a.collectPredictions(streams.output, 'duration'));
      const consumer = track(await a.startConsumer('duration', streams, group('duration'), { batchSize: 200 }));
      await waitForAll(ridesOf(rides), () => ridesOut(out), `${a.name}: predictions on ${streams.output}`);

      const model = await createModel({ path: a.modelPath('duration'), features: FEATURE_SPECS.duration });
      cleanups.push(() => model.dispose());
      expectPredictions(out.items(), rides, { repeats: 'none', model: model.info });
      expect(await consumer.scored(), 'records scored (ridestream_records_total)').toBe(rides.length);
      const offline = await scoreEvents(model, 'duration', rides);
      expect(valueProblems(out.items(), rides, offline), 'streamed vs offline scoring').toEqual([]);
    });

    it('dead-letters poison records with the reason and the original bytes, and scores the rest', async () => {
      const a = adapter();
      const streams = await a.freshStreams(1);
      const rides = await realRides(200);
      const poison = [
        { value: '{"rideId": "x", ', code: 'INVALID_JSON' },
        { value: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]), code: 'INVALID_JSON' },
        { value: JSON.stringify({ ...rides[0], rideId: 'bad-zone', puLocationId: 999 }), code: 'INVALID_EVENT' },
      ];
      // Poison between valid rides, all under one key: a poison record must not hold back the rides after it.
      const records = rides.flatMap((r, i) => [
        { key: 'k', value: JSON.stringify(r) },
        ...(i % 50 === 0 && poison[i / 50] ? [{ key: 'k', value: poison[i / 50]!.value }] : []),
      ]);
      await a.publish(streams.input, records);
      const out = track(await a.collectPredictions(streams.output, 'duration'));
      const dead = track(await a.collectDeadLetters(streams.dlq));
      const g = group('duration');
      track(await a.startConsumer('duration', streams, g, { batchSize: 64 }));
      await waitForAll(ridesOf(rides), () => ridesOut(out), `${a.name}: predictions on ${streams.output}`);
      await waitFor(
        () => dead.items().length >= poison.length,
        () => `${a.name}: dead letters on ${streams.dlq} (${dead.items().length} of ${poison.length})`,
      );
      // The poison records between them held back no ride, and were scored as nothing else.
      expectPredictions(out.items(), rides, { repeats: 'none' });
      // In source order: Kinesis does not promise the order of records within one PutRecords request.
      const letters = [...dead.items()].sort((x, y) => (BigInt(x.sourcePosition) < BigInt(y.sourcePosition) ? -1 : 1));
      expect(letters.map((d) => d.code)).toEqual(poison.map((p) => p.code));
      letters.forEach((d, i) => {
        expect(Buffer.compare(d.original, Buffer.from(poison[i]!.value))).toBe(0);
        expect(d.sourceStream).toBe(streams.input);
        expect(d.sourcePosition).toMatch(/^\d+$/);
        expect(d.consumer).toBe(g);
      });
    });

    it('scores only its event type: a tip for each ride.completed (before its start, or repeated), others skipped', async () => {
      const a = adapter();
      const streams = await a.freshStreams(1);
      const rides = await realCleanRides(100);
      // Completed before started for half of them, a duplicate of one, and every ride.paid.
      const records = rides.flatMap((r, i) =>
        (i % 2 === 0 ? [r.started, r.completed, r.paid] : [r.completed, r.started, r.paid]).map((e) => ({
          key: r.rideId,
          value: JSON.stringify(e),
        })),
      );
      records.push({ key: rides[0]!.rideId, value: JSON.stringify(rides[0]!.completed) });
      const poison = [
        { value: JSON.stringify({ ...rides[1]!.started, schemaVersion: 1 }), code: 'CONTRACT_VERSION_RETIRED' },
        {
          value: JSON.stringify({ ...rides[2]!.completed, occurredAt: '2020-01-01T00:00:00Z' }),
          code: 'DROPOFF_BEFORE_PICKUP',
        },
      ];
      records.push(...poison.map((p) => ({ key: 'k', value: p.value })));
      await a.publish(streams.input, records);
      const out = track(await a.collectPredictions(streams.output, 'tip'));
      const dead = track(await a.collectDeadLetters(streams.dlq));
      const consumer = track(await a.startConsumer('tip', streams, group('tip'), { batchSize: 50 }));
      await waitForAll(ridesOf(rides), () => ridesOut(out), `${a.name}: tips on ${streams.output}`);
      await waitFor(
        () => out.items().length >= rides.length + 1 && dead.items().length >= poison.length,
        () =>
          `${a.name}: the repeated ride.completed's second tip (${out.items().length} of ${rides.length + 1} tips) ` +
          `and the dead letters (${dead.items().length} of ${poison.length})`,
      );
      await waitFor(async () => Object.keys(await consumer.skipped()).length >= 2, `${a.name}: the skip metric`);

      const tips = out.items();
      // Each tip is its ride's ride.completed (never a started or paid event); only the event sent twice repeats.
      expectPredictions(
        tips,
        rides.map((r) => r.completed),
        { repeats: 1 },
      );
      const twice = tips.filter((p) => p.rideId === rides[0]!.rideId);
      expect(twice).toHaveLength(2);
      expect(twice[1]!.predictionId).toBe(twice[0]!.predictionId);
      expect(
        dead
          .items()
          .map((d) => d.code)
          .sort(),
      ).toEqual(poison.map((p) => p.code).sort());
      expect(await consumer.skipped()).toEqual({ 'ride.started': rides.length, 'ride.paid': rides.length });
    });

    it('loses nothing when stopped mid-stream, and a restarted instance goes on from the last checkpoint', async () => {
      const a = adapter();
      const streams = await a.freshStreams(2);
      const rides = await realRides(3000);
      await a.publish(
        streams.input,
        rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
      );
      const out = track(await a.collectPredictions(streams.output, 'duration'));
      const g = group('duration');
      const first = await a.startConsumer('duration', streams, g, { batchSize: 20 });
      await waitFor(() => out.items().length >= 200, `${a.name}: the first instance mid-stream`);
      await first.stop();
      expect(await first.scored()).toBeLessThan(rides.length);

      track(await a.startConsumer('duration', streams, g, { batchSize: 200 }));
      await waitForAll(ridesOf(rides), () => ridesOut(out), `${a.name}: predictions on ${streams.output}`, {
        timeoutMs: 90_000,
      });
      // A graceful stop checkpoints what it published: nothing is scored twice.
      expectPredictions(out.items(), rides, { repeats: 'none' });
    });
  });
}
