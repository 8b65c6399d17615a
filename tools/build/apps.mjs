/** What `tools/build/bundle.mjs` bundles; read by it and by the Dockerfile test (tools/build/test). */

/**
 * The consumers' scoring worker thread: `startScoringWorker` (libs/stream-core) loads `scoring-worker.js` from
 * beside the bundle it runs in. A path starting with `/` is from the repo root, others from the app folder.
 */
const SCORING_WORKER = '/libs/stream-core/src/worker-thread.ts';

/**
 * App folder (under apps/, also the dist folder each project.json declares as `outputs`) -> entries. The key of an
 * entry is the output file name (`main` -> main.js). Keyed by folder, not Nx project name: an app whose folder
 * name a lib shares has `-app` in its project name (docs/ARCHITECTURE.md, Names).
 */
export const APPS = {
  // The producer image also carries the replay CLI (`node replay.js`), built from its own app.
  producer: { entries: { main: 'src/main.ts', replay: '/apps/replay/src/main.ts' } },
  replay: { entries: { main: 'src/main.ts' } },
  'duration-consumer': { entries: { main: 'src/main.ts', 'scoring-worker': SCORING_WORKER } },
  'tip-consumer': { entries: { main: 'src/main.ts', 'scoring-worker': SCORING_WORKER } },
  batch: { entries: { main: 'src/main.ts' } },
  subscriber: { entries: { main: 'src/main.ts' } },
  monitor: { entries: { main: 'src/main.ts' } },
  'prediction-api': { entries: { main: 'src/main.ts' } },
  'consumer-lambda': { entries: { main: 'src/main.ts' } },
};
