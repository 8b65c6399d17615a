import { FEATURE_SPECS, type PredictionKind } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { modelScorer, type Scorer } from './scorer';
import { startScoringWorker } from './worker-client';

export interface LoadScorerOptions {
  readonly kind: PredictionKind;
  readonly modelPath: string;
  /** See `ScoringWorkerOptions.registry`. */
  readonly registry?: { readonly name: string; readonly version: string };
  /** Score in a worker thread (the default in the apps), or everything on the calling thread. */
  readonly worker: boolean;
  /**
   * With `worker`: chunks smaller than this are scored on the calling thread. 0 (default): all go to the worker.
   * Costs a second copy of the model in memory (~70 MB for the XGBoost models, measured).
   */
  readonly workerMinRecords?: number;
}

/**
 * The scorer a consumer app runs with. With `worker` and `workerMinRecords`, small chunks (light load) are scored
 * here: the transport thread is idle then and a hop to another thread costs two thread wake-ups, milliseconds on a busy
 * box; full chunks (heavy load) go to the worker, where both cores work at once. A missing, corrupt or mismatched
 * model stops startup with the same `ModelError` whichever thread loads it.
 */
export async function loadScorer(o: LoadScorerOptions): Promise<Scorer> {
  const min = o.workerMinRecords ?? 0;
  const load = () => createModel({ path: o.modelPath, features: FEATURE_SPECS[o.kind], registry: o.registry });
  if (!o.worker) return modelScorer(o.kind, await load());
  if (min <= 0) return startScoringWorker(o);
  const inThread = modelScorer(o.kind, await load());
  let worker: Scorer;
  try {
    worker = await startScoringWorker(o);
  } catch (err) {
    await inThread.dispose();
    throw err;
  }
  let disposed: Promise<void> | undefined;
  return {
    kind: o.kind,
    model: worker.model,
    failed: worker.failed,
    lookahead: worker.lookahead,
    score: (records) => (records.length < min ? inThread : worker).score(records),
    dispose: () => (disposed ??= Promise.all([worker.dispose(), inThread.dispose()]).then(() => {})),
  };
}
