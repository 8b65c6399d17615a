/** What a run needs before measuring: the broker, the bundles, the Python venv and the peers' models. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ensureKafka } from '@ridestream/kafka-tool';
import { bundleAll } from './bundle';
import { say } from './log';
import { COURSE_TRAIN_MONTHS, PYTHON_DIR, ROOT, TMP_DIR, modelPath } from './paths';
import { procUsage, runToEnd } from './procs';

export const PYTHON = `${PYTHON_DIR}/.venv/bin/python`;
export const COURSE_MODEL = `${TMP_DIR}/course-model.bin`;
/** The golden rides libs/features and libs/model are tested on: the same-model peer must agree with them. */
const GOLDEN_FEATURES = `${ROOT}libs/features/test/fixtures/golden-features.jsonl`;

export interface Broker {
  readonly brokers: string;
  readonly started: boolean;
  /** The local broker's pid when it is ours (not KAFKA_BROKERS), to measure its CPU. */
  readonly pid?: number;
}

export async function setupBroker(env: NodeJS.ProcessEnv): Promise<Broker> {
  const { brokers, started } = await ensureKafka({ env });
  let pid: number | undefined;
  if (!env.KAFKA_BROKERS?.trim()) {
    try {
      const state = JSON.parse(readFileSync(`${ROOT}.cache/kafka/state.json`, 'utf8')) as { pid?: number };
      if (state.pid && procUsage(state.pid)) pid = state.pid;
    } catch {
      // no local state: CPU of the broker stays unknown
    }
  }
  return { brokers, started, pid };
}

export async function setupBundles(): Promise<void> {
  const t0 = performance.now();
  await bundleAll();
  say(`bundled the processes under test in ${Math.round(performance.now() - t0)} ms`);
}

/**
 * Creates bench/python/.venv (pinned), trains the course model unless it is newer than the script, and checks that
 * the same-model peer builds the golden rides' duration features exactly as the TypeScript consumer does (and gets
 * their recorded predictions): a peer fed other columns would not be the same model.
 */
export async function setupPython(): Promise<void> {
  const t0 = performance.now();
  const venv = await runToEnd('python-setup', 'bash', [`${PYTHON_DIR}/setup`], 600_000);
  if (venv.code !== 0) throw new Error(`bench/python/setup failed (${venv.code}); see bench/results/tmp/logs`);
  const stale =
    !existsSync(COURSE_MODEL) || statSync(COURSE_MODEL).mtimeMs < statSync(`${PYTHON_DIR}/train.py`).mtimeMs;
  if (stale) {
    const train = await runToEnd(
      'python-train',
      PYTHON,
      [`${PYTHON_DIR}/train.py`, COURSE_MODEL, ...COURSE_TRAIN_MONTHS],
      300_000,
    );
    if (train.code !== 0)
      throw new Error(`training the course model failed (${train.code}); see bench/results/tmp/logs`);
  }
  const golden = await runToEnd(
    'python-onnx-golden',
    PYTHON,
    [`${PYTHON_DIR}/peer_onnx.py`, '--model', modelPath('duration'), '--check-golden', GOLDEN_FEATURES],
    120_000,
  );
  if (golden.code !== 0)
    throw new Error(
      `the same-model peer disagrees with ${GOLDEN_FEATURES} (${golden.code}); see bench/results/tmp/logs`,
    );
  say(
    `Python peers ready (venv, course model, same-model peer on the golden rides) in ${Math.round((performance.now() - t0) / 1000)} s`,
  );
}
