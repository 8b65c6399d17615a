/**
 * The model registry of `npm start`: a real `mlflow server` with moto's S3 as its artifact store (tools/mlflow), or
 * the server in MLFLOW_TRACKING_URI; the shipped models (`models/<kind>/`) published to it as registered versions
 * with the alias `production` when the alias is not there yet; and the variables that make each consumer serve
 * `models:/<name>@production` (and follow the alias: moving it swaps the version without a restart).
 */
import type { PredictionKind } from '@ridestream/features';
import { createMlflowClient, startModelRegistry, type ModelRegistryServers } from '@ridestream/mlflow-tool';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** The alias the consumers of the local system follow, as `npm run train` sets it. */
export const SERVING_ALIAS = 'production';
const KINDS = ['duration', 'tip'] as const satisfies readonly PredictionKind[];

export interface DevRegistry {
  /** MLflow's tracking URI, also its web UI. */
  readonly trackingUri: string;
  /** True when this run started the servers (then `stop()` stops them and their state goes with them). */
  readonly started: boolean;
  /** What serves: `ride-duration` version `1`, per kind. */
  readonly serving: Readonly<Record<PredictionKind, { readonly name: string; readonly version: string }>>;
  /** The variables that make a consumer of `kind` serve the alias from this registry. */
  consumerEnv(kind: PredictionKind): Record<string, string>;
  stop(): Promise<void>;
}

const cardSchema = z.object({ registeredModelName: z.string().min(1) });

/** The registered name the shipped card gives its model (`ride-duration`, `ride-tip`): one name, from training. */
async function registeredName(modelDir: string): Promise<string> {
  const file = join(modelDir, 'model.json');
  const parsed = cardSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: no registeredModelName: ${parsed.error.message}`);
  return parsed.data.registeredModelName;
}

/**
 * @param o.dir where a started registry keeps its state; emptied first, because moto's S3 lives in memory and a
 *   SQLite store from an earlier run would name artifacts that are gone.
 * @param o.trackingUri an MLflow server to use instead of starting one (nothing is started or stopped then).
 *
 * @example
 * const registry = await openDevRegistry({ dir: '.cache/dev/registry', modelsDir: 'models' });
 * const env = registry.consumerEnv('duration'); // MODEL_URI=models:/ride-duration@production, MLFLOW_TRACKING_URI...
 */
export async function openDevRegistry(o: {
  readonly dir: string;
  readonly modelsDir: string;
  readonly trackingUri?: string;
}): Promise<DevRegistry> {
  let servers: ModelRegistryServers | undefined;
  if (!o.trackingUri) {
    await rm(o.dir, { recursive: true, force: true });
    servers = await startModelRegistry({ dir: join(o.dir, 'servers') });
  }
  try {
    const trackingUri = servers?.trackingUri ?? o.trackingUri!;
    const mlflow = createMlflowClient(trackingUri);
    const serving = {} as Record<PredictionKind, { name: string; version: string }>;
    for (const kind of KINDS) {
      const dir = join(o.modelsDir, kind);
      const name = await registeredName(dir);
      const version =
        (await mlflow.aliasVersion(name, SERVING_ALIAS)) ??
        (await mlflow.publishModelFolder({ name, dir, alias: SERVING_ALIAS })).version;
      serving[kind] = { name, version };
    }
    // No S3 variables: the server proxies the artifacts (mlflow-artifacts:/), and AWS_* would clash with Kinesis'.
    const env = {
      MLFLOW_TRACKING_URI: trackingUri,
      // Fetched versions are cached per version number; a fresh registry numbers from 1 again, so its own cache.
      MODEL_CACHE_DIR: join(o.dir, 'model-cache'),
    };
    return {
      trackingUri,
      started: servers !== undefined,
      serving,
      consumerEnv: (kind) => ({ ...env, MODEL_URI: `models:/${serving[kind].name}@${SERVING_ALIAS}` }),
      stop: async () => {
        await servers?.stop();
      },
    };
  } catch (err) {
    await servers?.stop();
    throw err;
  }
}
