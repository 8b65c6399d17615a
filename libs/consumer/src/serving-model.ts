import type { PredictionKind } from '@ridestream/features';
import { createModelStore, parseModelUri, type ModelSourceEnv, type ModelStore } from '@ridestream/model';
import type { Logger, Registry } from '@ridestream/runtime';
import { createSwappableScorer, type Scorer } from '@ridestream/stream-core';
import { loadScorer } from '@ridestream/stream-core/scoring';
import { Counter, Gauge } from 'prom-client';

/** What the consumer's scorers need from its config, whichever the transport. */
export interface ServingModelEnv extends ModelSourceEnv {
  readonly MODEL_PATH: string;
  readonly SCORING_WORKER: boolean;
  readonly SCORING_WORKER_MIN_RECORDS: number;
}

export interface ServingModels {
  /** The champion: follows its alias when MODEL_URI is `models:/<name>@<alias>`. */
  readonly scorer: Scorer;
  /** The challenger of SHADOW_MODEL_URI, if any (follows its own alias too). */
  readonly shadow?: Scorer;
  /** Registers the model metrics on the service's registry (version served, swaps, refusals, registry errors). */
  registerMetrics(registry: Registry): void;
  readonly store: ModelStore;
}

type Role = 'champion' | 'shadow';

/**
 * Resolves MODEL_URI (default MODEL_PATH) and SHADOW_MODEL_URI, loads each in its scorer (a worker thread unless
 * SCORING_WORKER=false) and, for an alias, polls it every MODEL_POLL_INTERVAL_MS and swaps versions between chunks.
 * A model that fails its checks stops startup here, naming the URI; during a swap it is refused and the serving
 * version keeps serving.
 */
export async function loadServingModels(
  kind: PredictionKind,
  env: ServingModelEnv,
  logger: Logger,
): Promise<ServingModels> {
  const store = createModelStore({
    cacheDir: env.MODEL_CACHE_DIR,
    mlflowTrackingUri: env.MLFLOW_TRACKING_URI,
    s3: { region: env.AWS_REGION, endpoint: env.S3_ENDPOINT },
  });
  // Late-bound: the service (and its registry) is built after the scorers.
  const counts = { swaps: { champion: 0, shadow: 0 }, refused: { champion: 0, shadow: 0 }, pollFailures: 0 };

  const load = async (uri: string): Promise<Scorer> => {
    const resolved = await store.resolve(uri);
    return loadScorer({
      kind,
      modelPath: resolved.path,
      registry: resolved.registry,
      worker: env.SCORING_WORKER,
      workerMinRecords: env.SCORING_WORKER_MIN_RECORDS,
    });
  };

  async function serve(uri: string, role: Role): Promise<Scorer> {
    const initial = await load(uri);
    const source = parseModelUri(uri);
    if (source.kind !== 'registry-alias') return initial;
    return createSwappableScorer({
      initial,
      wantedVersion: () => store.aliasVersion(uri),
      // The version, not the alias: what was checked is what gets loaded, even if the alias moves meanwhile.
      load: (version) => load(`models:/${source.name}/${version}`),
      intervalMs: env.MODEL_POLL_INTERVAL_MS,
      logger: logger.child({ component: 'model-poller', role, uri }),
      onSwap: () => void (counts.swaps[role] += 1),
      onRefused: () => void (counts.refused[role] += 1),
      onPollFailed: () => void (counts.pollFailures += 1),
    });
  }

  const scorer = await serve(env.MODEL_URI ?? env.MODEL_PATH, 'champion');
  let shadow: Scorer | undefined;
  try {
    shadow = env.SHADOW_MODEL_URI ? await serve(env.SHADOW_MODEL_URI, 'shadow') : undefined;
  } catch (err) {
    await scorer.dispose();
    throw err;
  }

  return {
    scorer,
    shadow,
    store,
    registerMetrics(registry) {
      const registers = [registry];
      const served = { champion: scorer, shadow } as const;
      new Gauge({
        name: 'ridestream_model_info',
        help: 'The model version each role serves now (1 per role)',
        labelNames: ['role', 'model', 'version'],
        registers,
        collect() {
          this.reset();
          for (const [role, s] of Object.entries(served))
            if (s) this.set({ role, model: s.model.name, version: s.model.version }, 1);
        },
      });
      new Counter({
        name: 'ridestream_model_swaps_total',
        help: 'Model versions swapped in without a restart, by role',
        labelNames: ['role'],
        registers,
        collect() {
          this.reset();
          for (const role of ['champion', 'shadow'] as const) this.inc({ role }, counts.swaps[role]);
        },
      });
      new Counter({
        name: 'ridestream_model_refused_total',
        help: 'New model versions refused (failed to load or check), by role; the serving version kept serving',
        labelNames: ['role'],
        registers,
        collect() {
          this.reset();
          for (const role of ['champion', 'shadow'] as const) this.inc({ role }, counts.refused[role]);
        },
      });
      new Counter({
        name: 'ridestream_model_registry_errors_total',
        help: 'Alias polls that could not reach the registry',
        registers,
        collect() {
          this.reset();
          this.inc(counts.pollFailures);
        },
      });
    },
  };
}
