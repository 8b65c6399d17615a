/**
 * Issue 14: training's registration path against the real registry. `npm run train` registers each served model
 * through training/ridestream_training/registry.py (`register_serving_folder`, then `publish_serving` uploads the
 * serving folder and only then sets the alias); here those calls run in the project's Python env (training/.venv)
 * against an `mlflow server` with moto's S3 started by tools/mlflow, on the shipped `models/duration` folder as a
 * pre-built serving folder (a full training run takes minutes on 2 cores; test_flow.py covers training itself).
 * The new version is checked through MLflow's REST API, and served by the TypeScript model store.
 */
import { FEATURE_SPECS } from '@ridestream/features';
import { createModel, createModelStore } from '@ridestream/model';
import { createMlflowClient, startModelRegistry, type ModelRegistryServers } from '@ridestream/mlflow-tool';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const FOLDER = join(ROOT, 'models', 'duration');
const dir = mkdtempSync(join(tmpdir(), 'model-training-registry-'));
let registry: ModelRegistryServers;

beforeAll(async () => {
  const setup = spawnSync(join(ROOT, 'training', 'bin', 'setup'), { stdio: ['ignore', 'inherit', 'inherit'] });
  if (setup.status !== 0) throw new Error(`training/bin/setup failed (exit ${setup.status})`);
  registry = await startModelRegistry({ dir: join(dir, 'servers') });
}, 300_000);
afterAll(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One MLflow REST call, as any client reads the registry. */
async function rest<T>(path: string, query: Record<string, string>): Promise<T> {
  const res = await fetch(`${registry.trackingUri}/api/2.0/mlflow/${path}?${new URLSearchParams(query)}`);
  expect(res.status, `${path} ${JSON.stringify(query)}`).toBe(200);
  return (await res.json()) as T;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe("training's registration against a real mlflow server", () => {
  it('registers a new version from the serving folder, logs its files on the server, and sets challenger', async () => {
    const production = await createMlflowClient(registry.trackingUri).publishModelFolder({
      name: 'ride-duration',
      dir: FOLDER,
      alias: 'production',
    });

    // The registration path of `npm run train`, in the project's Python env, into training's experiment (created
    // here: the TypeScript client above logged to another one).
    const { stdout } = await promisify(execFile)(
      join(ROOT, 'training', '.venv', 'bin', 'python'),
      [
        '-m',
        'ridestream_training.registry',
        'publish',
        '--name',
        'ride-duration',
        '--folder',
        FOLDER,
        '--alias',
        'challenger',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, PYTHONPATH: join(ROOT, 'training'), MLFLOW_TRACKING_URI: registry.trackingUri },
        timeout: 240_000,
      },
    );
    const published = JSON.parse(stdout.trim().split('\n').at(-1)!) as { version: string; run_id: string };
    expect(published.version).toBe(String(Number(production.version) + 1));

    // The aliases: challenger on the new version, production untouched.
    type Version = { model_version: { version: string; run_id: string; source: string } };
    const challenger = await rest<Version>('registered-models/alias', { name: 'ride-duration', alias: 'challenger' });
    expect(challenger.model_version).toMatchObject({ version: published.version, run_id: published.run_id });
    expect(challenger.model_version.source).toBe(`runs:/${published.run_id}/serving`);
    const stillProduction = await rest<Version>('registered-models/alias', {
      name: 'ride-duration',
      alias: 'production',
    });
    expect(stillProduction.model_version.version).toBe(production.version);

    // The run's artifacts live in the server's store (proxied to S3), not on the trainer's disk.
    const { run } = await rest<{ run: { info: { artifact_uri: string; status: string } } }>('runs/get', {
      run_id: published.run_id,
    });
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.artifact_uri).toMatch(/^mlflow-artifacts:\//);
    const { files } = await rest<{ files: { path: string; file_size?: number }[] }>('artifacts/list', {
      run_id: published.run_id,
      path: 'serving',
    });
    expect(files.map((f) => f.path).sort()).toEqual(
      ['MODEL_CARD.md', 'model.json', 'model.onnx', 'reference_profile.json'].map((f) => `serving/${f}`),
    );
    // The bytes that were logged are the folder's: the ONNX file (its sha256 is the card's), card and profile.
    const artifactRoot = run.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, '');
    const download = async (file: string) => {
      const res = await fetch(
        `${registry.trackingUri}/api/2.0/mlflow-artifacts/artifacts/${artifactRoot}/serving/${file}`,
      );
      expect(res.status, file).toBe(200);
      return new Uint8Array(await res.arrayBuffer());
    };
    const onnx = await download('model.onnx');
    const card = JSON.parse(Buffer.from(await download('model.json')).toString('utf8')) as { sha256: string };
    expect(sha256(onnx)).toBe(card.sha256);
    expect(sha256(onnx)).toBe(sha256(readFileSync(join(FOLDER, 'model.onnx'))));
    expect(Buffer.from(await download('reference_profile.json')).toString('utf8')).toBe(
      readFileSync(join(FOLDER, 'reference_profile.json'), 'utf8'),
    );

    // And serving takes it: the consumers' model store resolves the alias and the model passes its checks.
    const store = createModelStore({ cacheDir: join(dir, 'cache'), mlflowTrackingUri: registry.trackingUri });
    try {
      const resolved = await store.resolve('models:/ride-duration@challenger');
      expect(resolved.registry).toEqual({ name: 'ride-duration', version: published.version });
      const model = await createModel({ ...resolved, features: FEATURE_SPECS.duration });
      expect(model.info.version).toBe(published.version);
      await model.dispose();
    } finally {
      store.close();
    }
  }, 300_000);
});
