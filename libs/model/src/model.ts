import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FeatureSpec } from '@ridestream/features';
import ort from 'onnxruntime-node';
import { ModelError } from './errors';
import { modelCardSchema, sha256Hex, type ModelCard } from './model-card';

export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'prediction';

/** The feature row a model takes: a kind's `FEATURE_SPECS` entry (its names, in order, and their count). */
export type ModelFeatures = Pick<FeatureSpec<{ type: string }>, 'names' | 'count'>;

export interface ModelInfo {
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly sha256: string;
  readonly card: ModelCard;
}

export interface Model {
  readonly info: ModelInfo;
  /**
   * Scores `rows` rows of the row-major [rows, features.count] feature matrix. Large batches are split into chunks of
   * `maxRowsPerRun` with a macrotask yield between them, because `session.run` blocks the event loop for its
   * whole duration (heartbeats and HTTP probes must keep flowing).
   */
  predict(features: Float32Array, rows: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface CreateModelOptions {
  /** Path to `model.onnx`; its card is `model.json` beside it. */
  readonly path: string;
  /** What serving computes for this model (`FEATURE_SPECS[kind]`): the card and the graph are checked against it. */
  readonly features: ModelFeatures;
  readonly maxRowsPerRun?: number;
  /** Threads inside one `run`; 1 leaves the other core to Kafka I/O on a 2-core box. */
  readonly intraOpThreads?: number;
  /**
   * The registry's name and version when the file was resolved through MLflow (`createModelStore`): the version
   * stamped on predictions is the registry's, and a card naming another model is refused.
   */
  readonly registry?: { readonly name: string; readonly version: string };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function readOrThrow(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new ModelError('MODEL_NOT_FOUND', `${what} not found or unreadable: ${path}`, { cause, context: { path } });
  }
}

/** Reads the card, checks the file's hash against it, and returns what serving needs to know. */
async function readModelCard(
  path: string,
  bytes: Uint8Array,
  features: ModelFeatures,
  registry?: CreateModelOptions['registry'],
): Promise<ModelInfo> {
  const cardPath = join(dirname(path), 'model.json');
  let raw: unknown;
  try {
    raw = JSON.parse((await readOrThrow(cardPath, 'model card')).toString('utf8'));
  } catch (cause) {
    if (cause instanceof ModelError) throw cause;
    throw new ModelError('MODEL_CARD_INVALID', `model card is not JSON: ${cardPath}`, {
      cause,
      context: { path: cardPath },
    });
  }
  const parsed = modelCardSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ModelError(
      'MODEL_CARD_INVALID',
      `model card ${cardPath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { context: { path: cardPath } },
    );
  }
  const card = parsed.data;
  const sha256 = sha256Hex(bytes);
  if (card.sha256 && card.sha256 !== sha256) {
    throw new ModelError(
      'MODEL_CORRUPT',
      `${path} does not match its card (sha256 ${sha256}, card says ${card.sha256})`,
      { context: { path } },
    );
  }
  // Identity first: a model served under another name is the wrong model, whatever its features.
  if (registry && registry.name !== card.registeredModelName) {
    throw new ModelError(
      'MODEL_CARD_INVALID',
      `${path}: the registry serves it as ${registry.name} but its card names ${card.registeredModelName}`,
      { context: { path } },
    );
  }
  if (card.featureNames && card.featureNames.join() !== features.names.join()) {
    throw new ModelError(
      'MODEL_SIGNATURE',
      `${path} was trained on features [${card.featureNames.join(', ')}], serving computes [${features.names.join(', ')}]`,
      { context: { path } },
    );
  }
  return { name: card.registeredModelName, version: registry?.version ?? card.version, path, sha256, card };
}

/** Fails at startup, not on the first message, when the graph does not take [N, count] float32 `features`. */
function checkSignature(session: ort.InferenceSession, path: string, count: number): void {
  const input = session.inputMetadata.find((m) => m.name === INPUT_NAME);
  if (!input || !session.outputNames.includes(OUTPUT_NAME)) {
    throw new ModelError(
      'MODEL_SIGNATURE',
      `${path}: expected input "${INPUT_NAME}" and output "${OUTPUT_NAME}", found inputs [${session.inputNames.join(', ')}] outputs [${session.outputNames.join(', ')}]`,
      { context: { path } },
    );
  }
  if (
    input.isTensor &&
    (input.type !== 'float32' ||
      input.shape.length !== 2 ||
      (typeof input.shape[1] === 'number' && input.shape[1] !== count))
  ) {
    throw new ModelError(
      'MODEL_SIGNATURE',
      `${path}: input "${INPUT_NAME}" is ${input.type}[${input.shape.join(', ')}], expected float32[N, ${count}]`,
      { context: { path } },
    );
  }
}

/**
 * Loads an ONNX model once per process and checks it against its card and the feature contract.
 *
 * @example
 * const model = await createModel({ path: 'models/duration/model.onnx', features: FEATURE_SPECS.duration });
 * const minutes = await model.predict(featurize(FEATURE_SPECS.duration, started), started.length);
 */
export async function createModel(options: CreateModelOptions): Promise<Model> {
  const bytes = await readOrThrow(options.path, 'model file');
  const info = await readModelCard(options.path, bytes, options.features, options.registry);
  const count = options.features.count;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (cause) {
    throw new ModelError('MODEL_CORRUPT', `${options.path} is not a loadable ONNX model: ${(cause as Error).message}`, {
      cause,
      context: { path: options.path },
    });
  }
  checkSignature(session, options.path, count);
  const maxRows = options.maxRowsPerRun ?? 1024;
  // Memoised: a second dispose() (shutdown racing a crash) must not release the native session twice.
  let released: Promise<void> | undefined;

  const runChunk = async (features: Float32Array, rows: number): Promise<Float32Array> => {
    const input = new ort.Tensor('float32', features, [rows, count]);
    try {
      const out = await session.run({ [INPUT_NAME]: input });
      const data = out[OUTPUT_NAME]?.data;
      if (!(data instanceof Float32Array) || data.length !== rows) {
        throw new ModelError('MODEL_RUN_FAILED', `model returned ${data?.length ?? 'no'} values for ${rows} rows`);
      }
      return data;
    } catch (cause) {
      if (cause instanceof ModelError) throw cause;
      throw new ModelError('MODEL_RUN_FAILED', `inference failed: ${(cause as Error).message}`, { cause });
    }
  };

  return {
    info,
    async predict(features, rows) {
      if (features.length !== rows * count) {
        throw new ModelError(
          'MODEL_INPUT_SHAPE',
          `got ${features.length} values for ${rows} rows of ${count} features`,
        );
      }
      if (rows <= maxRows) return runChunk(features, rows);
      const out = new Float32Array(rows);
      for (let start = 0; start < rows; start += maxRows) {
        const n = Math.min(maxRows, rows - start);
        out.set(await runChunk(features.subarray(start * count, (start + n) * count), n), start);
        if (start + n < rows) await yieldToEventLoop();
      }
      return out;
    },
    dispose: () => (released ??= session.release()),
  };
}
