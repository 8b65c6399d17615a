/**
 * The registry drives serving (issue 14): a duration consumer serves `models:/ride-duration@production` from a real
 * MLflow server and shadows `models:/ride-duration@challenger`; moving the alias swaps the served version between
 * chunks without a restart, and moving it back rolls back. Every ride gets exactly one prediction on the main
 * stream, from exactly one version.
 */
import type { Prediction } from '@ridestream/features';
import { createMlflowClient, startModelRegistry, type ModelRegistryServers } from '@ridestream/mlflow-tool';
import { collect, freshTopics, testKafka, waitFor, type Collector } from '@ridestream/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionsOf, produceAll, realRides, startConsumer, type ConsumerUnderTest } from './helpers';

const MODEL_DIR = new URL('../../models/duration/', import.meta.url).pathname;
const POLL_MS = 500;
const dir = mkdtempSync(join(tmpdir(), 'model-lifecycle-'));
let registry: ModelRegistryServers;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  registry = await startModelRegistry({ dir: join(dir, 'servers') });
}, 240_000);
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function servedVersion(consumer: ConsumerUnderTest, role: 'champion' | 'shadow'): Promise<string | undefined> {
  const info = await consumer.service.registry.getSingleMetric('ridestream_model_info')?.get();
  return info?.values.find((v) => v.labels.role === role)?.labels.version as string | undefined;
}

describe('model lifecycle on the registry', () => {
  it('serves the production alias, shadows the challenger, swaps on an alias move and rolls back, losing nothing', async () => {
    const mlflow = createMlflowClient(registry.trackingUri);
    // Two registered versions of the same file: the values agree, the stamped versions must not.
    const v1 = await mlflow.publishModelFolder({ name: 'ride-duration', dir: MODEL_DIR, alias: 'production' });
    const v2 = await mlflow.publishModelFolder({ name: 'ride-duration', dir: MODEL_DIR, alias: 'challenger' });

    const kafka = testKafka();
    const [rides, out, shadowOut, dlq] = await freshTopics(kafka, ['rides', 'out', 'out.shadow', 'dlq'], 3);
    const consumer = await startConsumer('duration', {
      INPUT_TOPIC: rides!,
      OUTPUT_TOPIC: out!,
      SHADOW_OUTPUT_TOPIC: shadowOut!,
      DEAD_LETTER_TOPIC: dlq!,
      MODEL_URI: 'models:/ride-duration@production',
      SHADOW_MODEL_URI: 'models:/ride-duration@challenger',
      MLFLOW_TRACKING_URI: registry.trackingUri,
      MODEL_CACHE_DIR: join(dir, 'cache'),
      MODEL_POLL_INTERVAL_MS: String(POLL_MS),
    });
    cleanups.push(() => consumer.service.stop());
    const main: Collector = await collect(kafka, out!);
    const shadow: Collector = await collect(kafka, shadowOut!);
    cleanups.push(
      () => main.stop(),
      () => shadow.stop(),
    );
    expect(await servedVersion(consumer, 'champion')).toBe(v1.version);
    expect(await servedVersion(consumer, 'shadow')).toBe(v2.version);

    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const all = await realRides(900);
    const phases = [all.slice(0, 300), all.slice(300, 600), all.slice(600)];
    const publish = (batch: typeof all) =>
      produceAll(
        producer,
        rides!,
        batch.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
      );
    const predictionsFor = (c: Collector, batch: typeof all): Prediction[] => {
      const ids = new Set(batch.map((r) => r.rideId));
      return predictionsOf(c.messages, 'duration').filter((p) => ids.has(p.rideId));
    };
    const missing = (c: Collector, batch: typeof all) => {
      const have = new Set(predictionsFor(c, batch).map((p) => p.rideId));
      return batch.filter((r) => !have.has(r.rideId)).map((r) => r.rideId);
    };

    // Phase 1: production = v1; the challenger v2 shadows every chunk.
    await publish(phases[0]!);
    await waitFor(() => missing(main, phases[0]!).length === 0, 'every phase-1 ride on the main output', 60_000);
    await waitFor(() => missing(shadow, phases[0]!).length === 0, 'every phase-1 ride on the shadow output', 60_000);
    expect(new Set(predictionsFor(main, phases[0]!).map((p) => p.model.version))).toEqual(new Set([v1.version]));
    expect(new Set(predictionsFor(shadow, phases[0]!).map((p) => p.model.version))).toEqual(new Set([v2.version]));

    // Phase 2: the alias moves to v2; once the poller has swapped, every new ride is scored by v2.
    const movedAt = Date.now();
    await mlflow.setAlias('ride-duration', 'production', v2.version);
    await waitFor(async () => (await servedVersion(consumer, 'champion')) === v2.version, 'no swap to v2', 30_000);
    const swapMs = Date.now() - movedAt;
    await publish(phases[1]!);
    await waitFor(() => missing(main, phases[1]!).length === 0, 'every phase-2 ride on the main output', 60_000);
    expect(new Set(predictionsFor(main, phases[1]!).map((p) => p.model.version))).toEqual(new Set([v2.version]));

    // Phase 3: moving the alias back rolls back.
    await mlflow.setAlias('ride-duration', 'production', v1.version);
    await waitFor(async () => (await servedVersion(consumer, 'champion')) === v1.version, 'no rollback', 30_000);
    await publish(phases[2]!);
    await waitFor(() => missing(main, phases[2]!).length === 0, 'every phase-3 ride on the main output', 60_000);
    expect(new Set(predictionsFor(main, phases[2]!).map((p) => p.model.version))).toEqual(new Set([v1.version]));

    // None lost (waited above), none twice, none by two versions; no restart (one service throughout).
    const perRide = new Map<string, string[]>();
    for (const p of predictionsFor(main, all))
      perRide.set(p.rideId, [...(perRide.get(p.rideId) ?? []), p.model.version]);
    const twice = [...perRide].filter(([, versions]) => versions.length !== 1);
    expect(twice, `rides with more than one main prediction: ${twice.slice(0, 5).join('; ')}`).toEqual([]);
    const swaps = await consumer.service.registry.getSingleMetric('ridestream_model_swaps_total')?.get();
    expect(swaps?.values.find((v) => v.labels.role === 'champion')?.value).toBe(2);
    console.info(`alias move -> swap observed after ${swapMs} ms (poll interval ${POLL_MS} ms)`);
  });

  it('refuses a new version that fails its checks and keeps serving the old one', async () => {
    const mlflow = createMlflowClient(registry.trackingUri);
    // Its own alias on the same registered model: each test is independent of the other's alias moves.
    const good = await mlflow.publishModelFolder({ name: 'ride-duration', dir: MODEL_DIR, alias: 'guarded' });
    const kafka = testKafka();
    const [rides, out, dlq] = await freshTopics(kafka, ['rides', 'out', 'dlq'], 1);
    const consumer = await startConsumer('duration', {
      INPUT_TOPIC: rides!,
      OUTPUT_TOPIC: out!,
      DEAD_LETTER_TOPIC: dlq!,
      MODEL_URI: 'models:/ride-duration@guarded',
      MLFLOW_TRACKING_URI: registry.trackingUri,
      MODEL_CACHE_DIR: join(dir, 'cache-guarded'),
      MODEL_POLL_INTERVAL_MS: String(POLL_MS),
    });
    cleanups.push(() => consumer.service.stop());
    // A corrupt file under a card that promises another sha256.
    const { readFileSync } = await import('node:fs');
    const onnx = Buffer.from(readFileSync(join(MODEL_DIR, 'model.onnx')));
    onnx[onnx.length - 1] = onnx[onnx.length - 1]! ^ 0xff;
    const bad = await mlflow.publishModelFolder({ name: 'ride-duration', dir: MODEL_DIR, onnx });
    await mlflow.setAlias('ride-duration', 'guarded', bad.version);
    const refused = async () =>
      (await consumer.service.registry.getSingleMetric('ridestream_model_refused_total')?.get())?.values.find(
        (v) => v.labels.role === 'champion',
      )?.value ?? 0;
    await waitFor(async () => (await refused()) >= 1, 'the bad version was never refused', 30_000);
    expect(await servedVersion(consumer, 'champion')).toBe(good.version);
  });
});
