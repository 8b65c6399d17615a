/**
 * Model sources against the real thing: an `mlflow server` (SQLite store, artifacts proxied to S3) and moto's S3
 * server, both started from the project's venv. The serving side resolves `models:/`, `runs:/` and `s3://` URIs
 * through MLflow's REST API, its artifact endpoints and the AWS SDK, and refuses anything that fails its checks.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FEATURE_SPECS, type PredictionKind } from '@ridestream/features';
import { createModel, createModelStore, ModelError, type ModelStore } from '@ridestream/model';
import { freePort } from '@ridestream/dev-services';
import {
  createMlflowClient,
  LOCAL_S3_CREDENTIALS,
  LOCAL_S3_REGION,
  startModelRegistry,
  type ModelRegistryServers,
} from '@ridestream/mlflow-tool';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODELS = new URL('../../models/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'model-registry-'));
let registry: ModelRegistryServers;
let store: ModelStore;

beforeAll(async () => {
  registry = await startModelRegistry({ dir: join(dir, 'servers') });
  store = createModelStore({
    cacheDir: join(dir, 'cache'),
    mlflowTrackingUri: registry.trackingUri,
    s3: { region: LOCAL_S3_REGION, endpoint: registry.s3Endpoint, credentials: LOCAL_S3_CREDENTIALS },
  });
}, 240_000);
afterAll(async () => {
  store?.close();
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A model loaded from `uri` scores exactly like the shipped file it was published from. */
async function expectSameAsShipped(uri: string, kind: PredictionKind, registered?: { name: string; version: string }) {
  const resolved = await store.resolve(uri);
  expect(resolved.registry).toEqual(registered);
  const features = FEATURE_SPECS[kind];
  const fromRegistry = await createModel({ path: resolved.path, registry: resolved.registry, features });
  const shipped = await createModel({ path: join(MODELS, kind, 'model.onnx'), features });
  try {
    expect(fromRegistry.info.sha256).toBe(shipped.info.sha256);
    expect(fromRegistry.info.name).toBe(shipped.info.name);
    expect(fromRegistry.info.version).toBe(registered?.version ?? shipped.info.version);
    const cols = features.count;
    const rows = 64;
    const x = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 97) / 9);
    expect(Array.from(await fromRegistry.predict(x, rows))).toEqual(Array.from(await shipped.predict(x, rows)));
  } finally {
    await Promise.all([fromRegistry.dispose(), shipped.dispose()]);
  }
}

async function modelError(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(
    () => new Error('expected a ModelError, got success'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe('models from the MLflow registry and S3', () => {
  it('serves models:/<name>@<alias>, models:/<name>/<version> and runs:/<id>/<path>, stamped with the registry version', async () => {
    const mlflow = createMlflowClient(registry.trackingUri);
    const first = await mlflow.publishModelFolder({ name: 'ride-duration', dir: join(MODELS, 'duration') });
    const second = await mlflow.publishModelFolder({
      name: 'ride-duration',
      dir: join(MODELS, 'duration'),
      alias: 'production',
    });
    expect([first.version, second.version]).toEqual(['1', '2']);

    await expectSameAsShipped('models:/ride-duration@production', 'duration', { name: 'ride-duration', version: '2' });
    await expectSameAsShipped('models:/ride-duration/1', 'duration', { name: 'ride-duration', version: '1' });
    await expectSameAsShipped(`runs:/${first.runId}/serving`, 'duration');
    expect(await store.aliasVersion('models:/ride-duration@production')).toBe('2');
    await mlflow.setAlias('ride-duration', 'production', '1');
    expect(await store.aliasVersion('models:/ride-duration@production')).toBe('1');
  });

  it('serves s3://bucket/key with the card beside it', async () => {
    const s3 = new S3Client({
      endpoint: registry.s3Endpoint,
      forcePathStyle: true,
      region: LOCAL_S3_REGION,
      credentials: LOCAL_S3_CREDENTIALS,
    });
    for (const file of ['model.onnx', 'model.json'])
      await s3.send(
        new PutObjectCommand({
          Bucket: registry.bucket,
          Key: `direct/tip/${file}`,
          Body: readFileSync(join(MODELS, 'tip', file)),
        }),
      );
    s3.destroy();
    await expectSameAsShipped(`s3://${registry.bucket}/direct/tip/model.onnx`, 'tip');
    const missing = await modelError(store.resolve(`s3://${registry.bucket}/nowhere/model.onnx`));
    expect(missing.code).toBe('MODEL_NOT_FOUND');
    expect(missing.message).toContain(`s3://${registry.bucket}/nowhere/model.onnx`);
  });

  it('fails with MODEL_REGISTRY naming the URI for an unknown alias, version or model', async () => {
    await createMlflowClient(registry.trackingUri).publishModelFolder({ name: 'ride-tip', dir: join(MODELS, 'tip') });
    for (const uri of ['models:/ride-tip@nope', 'models:/ride-tip/99', 'models:/no-such-model@production']) {
      const err = await modelError(store.resolve(uri));
      expect(err.code).toBe('MODEL_REGISTRY');
      expect(err.retriable).toBe(false);
      expect(err.message).toContain(`"${uri}"`);
    }
  });

  it('fails with a retriable MODEL_SOURCE_UNREACHABLE when MLflow does not answer', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const offline = createModelStore({ cacheDir: join(dir, 'offline'), mlflowTrackingUri: nobody, timeoutMs: 2000 });
    const err = await modelError(offline.resolve('models:/ride-duration@production'));
    expect(err.code).toBe('MODEL_SOURCE_UNREACHABLE');
    expect(err.retriable).toBe(true);
    expect(err.message).toContain(nobody);
  });

  it('never serves a registered version that fails its checks: corrupt file, wrong model, wrong signature', async () => {
    const mlflow = createMlflowClient(registry.trackingUri);
    const onnx = readFileSync(join(MODELS, 'duration', 'model.onnx'));
    const tampered = Buffer.from(onnx);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0xff;
    const corrupt = await mlflow.publishModelFolder({
      name: 'bad-duration',
      dir: join(MODELS, 'duration'),
      onnx: tampered,
    });
    const corruptErr = await modelError(
      store
        .resolve(`models:/bad-duration/${corrupt.version}`)
        .then((r) => createModel({ ...r, features: FEATURE_SPECS.duration })),
    );
    expect(corruptErr.code).toBe('MODEL_CORRUPT');

    // The tip card under the duration name: the registry and the card disagree about what this is.
    const renamed = await mlflow.publishModelFolder({ name: 'ride-duration', dir: join(MODELS, 'tip') });
    const renamedErr = await modelError(
      store
        .resolve(`models:/ride-duration/${renamed.version}`)
        .then((r) => createModel({ ...r, features: FEATURE_SPECS.duration })),
    );
    expect(renamedErr.code).toBe('MODEL_CARD_INVALID');

    // The course baseline takes string PU_DO keys, not the feature matrix the consumers compute.
    const baseline = await mlflow.publishModelFolder({
      name: 'ride-duration-baseline',
      dir: join(MODELS, 'duration-baseline'),
    });
    const signatureErr = await modelError(
      store
        .resolve(`models:/ride-duration-baseline/${baseline.version}`)
        .then((r) => createModel({ ...r, features: FEATURE_SPECS.duration })),
    );
    expect(signatureErr.code).toBe('MODEL_SIGNATURE');
  });
});
