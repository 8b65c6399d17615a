import type { PredictionKind } from '@ridestream/features';
import { ModelError, MODEL_ERROR_CODES, type ModelErrorCode } from '@ridestream/model';
import { Worker } from 'node:worker_threads';
import { ScoringWorkerError } from './errors';
import type { RecordOutcome } from './outcomes';
import type { SourceRecord } from './records';
import type { ModelIdentity, Scorer } from './scorer';
import { fromWire, packValues, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol';

export interface ScoringWorkerOptions {
  readonly kind: PredictionKind;
  readonly modelPath: string;
  /** The registry's name and version of the file (a `models:/` URI): stamped on predictions instead of the card's. */
  readonly registry?: { readonly name: string; readonly version: string };
  /** How long `dispose()` waits for the worker to release the model before terminating it. */
  readonly closeTimeoutMs?: number;
}

/**
 * The worker's code. Bundled (dist/apps/<app>/main.js) it is the sibling bundle `scoring-worker.js` that
 * tools/build/bundle.mjs writes from `worker-thread.ts`. From source (tsx, vitest) it is the .ts file, which the worker can load only after
 * registering tsx's loader in its own thread (`--import tsx` in a worker's execArgv does not, on Node 20).
 */
function workerSource(): { source: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { source: new URL('./scoring-worker.js', import.meta.url), eval: false };
  const entry = JSON.stringify(new URL('./worker-thread.ts', import.meta.url).href);
  return {
    source: `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); });`,
    eval: true,
  };
}

const isModelErrorCode = (code: string): code is ModelErrorCode =>
  (MODEL_ERROR_CODES as readonly string[]).includes(code);

/**
 * A `Scorer` that runs validation, features, the model and the prediction JSON in a worker thread, leaving the
 * calling thread to the transport: the two run on two cores at once, and a model call never blocks the event loop
 * (heartbeats, probes, metrics). Chunks are scored in the order given, one model call at a time (small chunks that
 * queue up while one is scored share the next call, each answered on its own); the values are copied once
 * into a transferred buffer. Resolves once the model is loaded; a model that cannot be loaded rejects with the
 * same `ModelError` as loading it in this thread would.
 *
 * @example
 * const scorer = await startScoringWorker({ kind: 'duration', modelPath: 'models/duration/model.onnx' });
 * const outcomes = await scorer.score(records);
 * await scorer.dispose();
 */
export function startScoringWorker(o: ScoringWorkerOptions): Promise<Scorer> {
  const { source, eval: isEval } = workerSource();
  const init: WorkerInit = { kind: o.kind, modelPath: o.modelPath, registry: o.registry };
  const worker = new Worker(source, { workerData: init, eval: isEval });
  const pending = new Map<
    number,
    { records: readonly SourceRecord[]; resolve: (o: RecordOutcome[]) => void; reject: (e: unknown) => void }
  >();
  let nextId = 0;
  let disposing = false;
  let dead: ScoringWorkerError | undefined;
  let fail: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // observed by the service; unobserved in tests that never break the worker

  return new Promise<Scorer>((resolveStart, rejectStart) => {
    let started = false;
    const die = (err: ScoringWorkerError) => {
      if (dead) return;
      dead = err;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      if (!started) rejectStart(err);
      else if (!disposing) fail(err);
    };
    worker.on('error', (err) =>
      die(
        new ScoringWorkerError('SCORING_WORKER_EXITED', `scoring worker crashed: ${err.message}`, {
          cause: err,
          context: { modelPath: o.modelPath },
        }),
      ),
    );
    worker.on('exit', (code) =>
      die(
        new ScoringWorkerError('SCORING_WORKER_EXITED', `scoring worker exited with code ${code}`, {
          context: { modelPath: o.modelPath },
        }),
      ),
    );
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'failed') {
        started = true;
        const { code, message } = m.error;
        rejectStart(
          isModelErrorCode(code)
            ? new ModelError(code, message, { context: { path: o.modelPath } })
            : new ScoringWorkerError(
                'SCORING_WORKER_LOAD_FAILED',
                `scoring worker could not load ${o.modelPath}: ${message}`,
                { context: { modelPath: o.modelPath, workerCode: code } },
              ),
        );
        void worker.terminate();
        return;
      }
      if (m.type === 'ready') {
        started = true;
        resolveStart(scorer(m.model));
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      p.resolve(m.outcomes.map((w, i) => fromWire(w, p.records[i]!)));
    });

    let disposed: Promise<void> | undefined;
    const scorer = (model: ModelIdentity): Scorer => ({
      kind: o.kind,
      model,
      failed,
      lookahead: 4,
      score(records) {
        if (dead) return Promise.reject(dead);
        if (records.length === 0) return Promise.resolve([]);
        const id = nextId++;
        const { data, lengths } = packValues(records);
        return new Promise<RecordOutcome[]>((resolve, reject) => {
          pending.set(id, { records, resolve, reject });
          const message: ToWorker = { type: 'score', id, data, lengths };
          worker.postMessage(message, [data.buffer as ArrayBuffer, lengths.buffer as ArrayBuffer]);
        });
      },
      dispose() {
        disposed ??= (async () => {
          disposing = true;
          if (dead) return;
          const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
          worker.postMessage({ type: 'close' } satisfies ToWorker);
          const timer = setTimeout(() => void worker.terminate(), o.closeTimeoutMs ?? 5000);
          await exited;
          clearTimeout(timer);
        })();
        return disposed;
      },
    });
  });
}
