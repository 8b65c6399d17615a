/**
 * Bundles the processes under test with esbuild, the way tools/build/bundle.mjs builds the production images:
 * one ESM file per app, native onnxruntime-node left external. Children then start as plain `node file.js`, with
 * no TypeScript loader in their CPU, memory or event loop.
 */
import { build } from 'esbuild';
import { BUILD_DIR, ROOT } from './paths';

export const ENTRIES = {
  'duration-consumer': 'apps/duration-consumer/src/main.ts',
  'tip-consumer': 'apps/tip-consumer/src/main.ts',
  // Loaded by both consumer bundles from beside them (libs/stream-core startScoringWorker).
  'scoring-worker': 'libs/stream-core/src/worker-thread.ts',
  producer: 'apps/producer/src/main.ts',
  passthrough: 'bench/src/children/passthrough.ts',
  'passthrough-platformatic': 'bench/src/children/passthrough-platformatic.ts',
  'baseline-consumer': 'bench/src/children/baseline-consumer.ts',
  'http-load': 'bench/src/children/http-load.ts',
} as const;
export type Entry = keyof typeof ENTRIES;

export const bundlePath = (entry: Entry) => `${BUILD_DIR}/${entry}.js`;

export async function bundleAll(): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([out, src]) => [out, `${ROOT}${src}`])),
    outdir: BUILD_DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: `${ROOT}tsconfig.base.json`,
    sourcemap: true,
    sourcesContent: false,
    keepNames: true,
    // Native addon; autocannon stays a separate install resolved at run time (optional devDependency).
    // @platformatic/kafka loads a .wasm file from beside its own modules, so it stays a package.
    external: ['onnxruntime-node', 'autocannon', '@platformatic/kafka'],
    banner: {
      js: "import { createRequire as __rsCreateRequire } from 'node:module';\nconst require = __rsCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
