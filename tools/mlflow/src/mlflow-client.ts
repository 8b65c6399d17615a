import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The artifact folder of a run that holds `model.onnx` + `model.json`, as serving reads it. */
export const SERVING_ARTIFACT_PATH = 'serving';

/** Beside the model and its card, what training logs to the serving folder when the folder has it (models/<kind>/ does). */
const OPTIONAL_SERVING_FILES = ['MODEL_CARD.md', 'reference_profile.json'] as const;

/** An MLflow REST call that did not answer 2xx: its HTTP status and MLflow's `error_code` (RESOURCE_DOES_NOT_EXIST...). */
export class MlflowHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
  ) {
    super(message);
    this.name = 'MlflowHttpError';
  }
}

const readIfPresent = (path: string) =>
  readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });

/**
 * The few MLflow REST calls that put a model into the registry the way training does (a run holding the model
 * folder, a registered version whose source is that folder, an alias), for `npm start -- --registry` and tests.
 * Training itself logs through the Python client (training/ridestream_training/registry.py).
 */
export function createMlflowClient(trackingUri: string) {
  const base = trackingUri.replace(/\/+$/, '');
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url =
      method === 'GET' && body
        ? `${base}/api/2.0/mlflow/${path}?${new URLSearchParams(body as Record<string, string>)}`
        : `${base}/api/2.0/mlflow/${path}`;
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as T & { message?: string; error_code?: string };
    if (!res.ok)
      throw new MlflowHttpError(
        `MLflow ${method} ${path}: HTTP ${res.status} ${json.message ?? ''}`,
        res.status,
        json.error_code,
      );
    return json;
  }

  async function experimentId(name: string): Promise<string> {
    try {
      const got = await call<{ experiment: { experiment_id: string } }>('GET', 'experiments/get-by-name', {
        experiment_name: name,
      });
      return got.experiment.experiment_id;
    } catch {
      return (await call<{ experiment_id: string }>('POST', 'experiments/create', { name })).experiment_id;
    }
  }

  async function uploadArtifact(artifactUri: string, path: string, bytes: Uint8Array): Promise<void> {
    if (!artifactUri.startsWith('mlflow-artifacts:/'))
      throw new Error(`expected a server that proxies artifacts (mlflow-artifacts:/), got ${artifactUri}`);
    const target = `${artifactUri.slice('mlflow-artifacts:'.length).replace(/^\/+/, '')}/${path}`;
    const res = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${target}`, { method: 'PUT', body: bytes });
    if (!res.ok) throw new Error(`MLflow artifact upload ${path}: HTTP ${res.status}`);
  }

  return {
    trackingUri: base,
    /**
     * Logs a model folder (`model.onnx` + `model.json`, and `MODEL_CARD.md` and `reference_profile.json` when the
     * folder has them) as a run's `serving` artifacts, registers it as a new
     * version of `name` and, with `alias`, points the alias at it. Returns the run id and the new version.
     */
    async publishModelFolder(o: {
      readonly name: string;
      readonly dir: string;
      readonly alias?: string;
      readonly experiment?: string;
      /** Replace the card (e.g. to break it on purpose in a test); default: the folder's model.json. */
      readonly card?: Uint8Array;
      readonly onnx?: Uint8Array;
    }): Promise<{ runId: string; version: string }> {
      const exp = await experimentId(o.experiment ?? 'ridestream-serving');
      const { run } = await call<{ run: { info: { run_id: string; artifact_uri: string } } }>('POST', 'runs/create', {
        experiment_id: exp,
        start_time: Date.now(),
      });
      const [onnx, card] = await Promise.all([
        o.onnx ?? readFile(join(o.dir, 'model.onnx')),
        o.card ?? readFile(join(o.dir, 'model.json')),
      ]);
      await uploadArtifact(run.info.artifact_uri, `${SERVING_ARTIFACT_PATH}/model.onnx`, onnx);
      await uploadArtifact(run.info.artifact_uri, `${SERVING_ARTIFACT_PATH}/model.json`, card);
      for (const file of OPTIONAL_SERVING_FILES) {
        const bytes = await readIfPresent(join(o.dir, file));
        if (bytes) await uploadArtifact(run.info.artifact_uri, `${SERVING_ARTIFACT_PATH}/${file}`, bytes);
      }
      await call('POST', 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: Date.now() });
      await call('POST', 'registered-models/create', { name: o.name }).catch((err: unknown) => {
        if (!(err instanceof MlflowHttpError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw err;
      });
      const { model_version } = await call<{ model_version: { version: string } }>('POST', 'model-versions/create', {
        name: o.name,
        source: `runs:/${run.info.run_id}/${SERVING_ARTIFACT_PATH}`,
        run_id: run.info.run_id,
      });
      if (o.alias) await this.setAlias(o.name, o.alias, model_version.version);
      return { runId: run.info.run_id, version: String(model_version.version) };
    },
    async setAlias(name: string, alias: string, version: string): Promise<void> {
      await call('POST', 'registered-models/alias', { name, alias, version });
    },
    /** The version `alias` points at, or undefined when the model or the alias does not exist. */
    async aliasVersion(name: string, alias: string): Promise<string | undefined> {
      try {
        const got = await call<{ model_version: { version: string } }>('GET', 'registered-models/alias', {
          name,
          alias,
        });
        return String(got.model_version.version);
      } catch (err) {
        if (err instanceof MlflowHttpError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw err;
      }
    },
  };
}
export type MlflowClient = ReturnType<typeof createMlflowClient>;
