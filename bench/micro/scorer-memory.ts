/**
 * What one scorer costs in memory, part by part: each variant runs in a fresh process that loads the duration model
 * (in this thread or in the scoring worker) and scores 300 chunks of 500 rides, 4 in flight as the consumer does, or
 * only creates an onnxruntime session with given options.
 *
 *   npx tsx bench/micro/scorer-memory.ts
 *
 * Prints, per variant, RSS after the imports, after the model is loaded, and the peak (VmHWM) after scoring. No
 * Kafka: the transport's share is the pass-through's in BENCHMARKS.md. The script bundles itself and the worker
 * with esbuild first (as the images are built), so that no TypeScript loader is in the figures.
 */
import { aStarted } from '@ridestream/features/testing';
import { loadScorer } from '@ridestream/stream-core/scoring';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Variant {
  readonly name: string;
  /** Score through `loadScorer` (in this thread or the worker); without it, only the session is created. */
  readonly scorer?: { readonly worker: boolean; readonly workerMinRecords?: number };
  /** Create one onnxruntime session directly with these options (libs/model's defaults otherwise). */
  readonly session?: Record<string, unknown>;
  readonly nodeFlags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

const VARIANTS: readonly Variant[] = [
  { name: 'no model (imports only)' },
  { name: 'session only, libs/model options', session: {} },
  { name: 'session only, graph optimisation off', session: { graphOptimizationLevel: 'disabled' } },
  {
    name: 'session only, CPU arena and memory pattern off',
    session: { enableCpuMemArena: false, enableMemPattern: false },
  },
  { name: 'scorer in this thread (SCORING_WORKER=false)', scorer: { worker: false } },
  { name: 'scorer in the worker (default)', scorer: { worker: true } },
  { name: 'worker + in-thread copy (SCORING_WORKER_MIN_RECORDS=100)', scorer: { worker: true, workerMinRecords: 100 } },
  { name: 'worker, --max-semi-space-size=2', scorer: { worker: true }, nodeFlags: ['--max-semi-space-size=2'] },
  { name: 'worker, MALLOC_TRIM_THRESHOLD_=65536', scorer: { worker: true }, env: { MALLOC_TRIM_THRESHOLD_: '65536' } },
];

const MODEL = 'models/duration/model.onnx';
const mb = (kb: number) => Math.round(kb / 1024);
const status = (field: string) =>
  Number(/(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8').split(`${field}:`)[1]!)![1]);

async function child(v: Variant) {
  // Synthetic but contract-valid rides (no parquet reader in the figures), spread over zones, hours and distances.
  const records = Array.from({ length: 500 }, (_, i) => {
    const ride = aStarted(`r${i}`, {
      puLocationId: 1 + (i % 265),
      doLocationId: 1 + ((i * 7) % 265),
      plannedDistance: (i % 97) / 7,
      occurredAt: new Date(Date.UTC(2024, 0, 1 + (i % 28), i % 24, i % 60)).toISOString(),
    });
    return {
      position: String(i),
      key: ride.rideId,
      value: Buffer.from(JSON.stringify(ride)),
      headers: {},
      timestampMs: 0,
    };
  });
  const afterImports = status('VmRSS');
  if (v.session) {
    const session = await ort.InferenceSession.create(readFileSync(MODEL), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      ...v.session,
    });
    const afterLoad = status('VmRSS');
    await session.release();
    return { afterImports, afterLoad, peak: status('VmHWM') };
  }
  if (!v.scorer) return { afterImports, afterLoad: afterImports, peak: status('VmHWM') };
  const scorer = await loadScorer({ kind: 'duration', modelPath: MODEL, ...v.scorer });
  const afterLoad = status('VmRSS');
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < 300; i++) {
    inFlight.push(scorer.score(records));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const peak = status('VmHWM');
  await scorer.dispose();
  return { afterImports, afterLoad, peak };
}

if (process.env.SCORER_MEMORY_VARIANT) {
  const result = await child(JSON.parse(process.env.SCORER_MEMORY_VARIANT));
  console.log(JSON.stringify(result));
} else {
  const dir = fileURLToPath(new URL('../results/tmp/micro/', import.meta.url));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  await build({
    absWorkingDir: root,
    // The worker's bundle beside the script's, under the name startScoringWorker loads.
    entryPoints: {
      'scorer-memory': fileURLToPath(import.meta.url),
      'scoring-worker': `${root}libs/stream-core/src/worker-thread.ts`,
    },
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: `${root}tsconfig.base.json`,
    external: ['onnxruntime-node'],
    banner: { js: "import { createRequire as __c } from 'node:module';\nconst require = __c(import.meta.url);" },
    logLevel: 'warning',
  });
  console.log('variant | RSS after imports MB | after model load MB | peak after scoring MB');
  for (const v of VARIANTS) {
    const out = execFileSync(process.execPath, [...(v.nodeFlags ?? []), `${dir}scorer-memory.js`], {
      cwd: root,
      env: { ...process.env, ...v.env, SCORER_MEMORY_VARIANT: JSON.stringify(v) },
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { afterImports: number; afterLoad: number; peak: number };
    console.log(`${v.name} | ${mb(r.afterImports)} | ${mb(r.afterLoad)} | ${mb(r.peak)}`);
  }
}
