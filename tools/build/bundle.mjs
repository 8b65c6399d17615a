#!/usr/bin/env node
/**
 * Bundles one app into dist/apps/<app>/ for a slim runtime image:
 *
 *   node tools/build/bundle.mjs <app>      producer, replay, duration-consumer, tip-consumer, consumer-lambda,
 *                                          batch, subscriber, monitor, prediction-api   (the folder under apps/)
 *
 * Output: one self-contained ESM file per entry (+ .map), and a package.json/package-lock.json that list only the
 * packages left external (native bindings), pinned to the versions of the root package-lock, so that the image
 * runs `npm ci --omit=dev` on just those instead of on the whole workspace.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS } from './apps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readJson = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));

/** Always external: native addons (and their platform binaries) cannot be inlined into a JS file. */
const ALWAYS_EXTERNAL = new Set(['onnxruntime-node']);

const appName = process.argv[2];
const app = APPS[appName];
if (!app) {
  console.error(`usage: node tools/build/bundle.mjs <${Object.keys(APPS).join('|')}>`);
  process.exit(2);
}

const appDir = join(root, 'apps', appName);
const outdir = join(root, 'dist', 'apps', appName);
const rootPkg = readJson('package.json');
const lock = readJson('package-lock.json');

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`. */
const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/** A package is native if it says so (gypfile), ships a binding.gyp, or has a prebuilt .node file anywhere. */
const nativeCache = new Map();
function isNative(name) {
  if (ALWAYS_EXTERNAL.has(name)) return true;
  if (nativeCache.has(name)) return nativeCache.get(name);
  const dir = join(root, 'node_modules', name);
  let native = false;
  if (existsSync(join(dir, 'package.json'))) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    native =
      pkg.gypfile === true ||
      existsSync(join(dir, 'binding.gyp')) ||
      readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.node'));
  }
  nativeCache.set(name, native);
  return native;
}

/** Marks native packages external and records them, so the dist package.json can list exactly those. */
const externals = new Set();
const externalNative = {
  name: 'external-native',
  setup(b) {
    // Bare specifiers only (esbuild filters are Go regexps: no lookahead, so the rest is checked here).
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('@ridestream/')) return undefined;
      const name = packageName(args.path);
      if (!isNative(name)) return undefined;
      externals.add(name);
      return { path: args.path, external: true };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(
    Object.entries(app.entries).map(([out, src]) => [out, src.startsWith('/') ? join(root, src) : join(appDir, src)]),
  ),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // The @ridestream/* path aliases live here; pinning it keeps resolution independent of per-app tsconfigs.
  tsconfig: join(root, 'tsconfig.base.json'),
  sourcemap: true,
  // Stack traces need only the mappings (run with --enable-source-maps); the sources would double the size.
  sourcesContent: false,
  // Keeps Function#name/Class#name intact where esbuild renames to avoid collisions between modules.
  keepNames: true,
  // Bundled CJS packages (kafkajs, fastify, pino, ...) call `require` for node builtins; ESM has no `require`.
  // (pino transports would also need their worker files next to the bundle; we log to stdout, without transports.)
  banner: {
    js: "import { createRequire as __rsCreateRequire } from 'node:module';\nconst require = __rsCreateRequire(import.meta.url);",
  },
  plugins: [externalNative],
  metafile: true,
  logLevel: 'warning',
});

/** The root-lock entry npm would load for `name` when required from the package at `from`: nested first, then up. */
function lockEntry(name, from = '') {
  let base = from;
  while (true) {
    const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[key]) return [key, lock.packages[key]];
    if (!base) return [undefined, undefined];
    const up = base.lastIndexOf('/node_modules/');
    base = up === -1 ? '' : base.slice(0, up);
  }
}

// The pruned lock: every external and its production dependency closure, copied from the root lock, so the image
// installs the very versions that were tested here (npm ci refuses a lock that disagrees with package.json).
const dependencies = {};
const lockPackages = {};
const queue = [...externals].sort().map((name) => {
  const [key, entry] = lockEntry(name);
  if (!entry) throw new Error(`${name} is external but not in package-lock.json; run npm install`);
  dependencies[name] = entry.version;
  return key;
});
while (queue.length > 0) {
  const key = queue.shift();
  if (lockPackages[key]) continue;
  // dev/peer flags describe the root project's graph, not this one's.
  const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[key];
  lockPackages[key] = entry;
  const optionalPeers = Object.keys(entry.peerDependenciesMeta ?? {}).filter(
    (d) => entry.peerDependenciesMeta[d].optional,
  );
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((d) => !optionalPeers.includes(d));
  for (const dep of [...Object.keys(entry.dependencies ?? {}), ...peers]) {
    const [depKey] = lockEntry(dep, key);
    // Fail here rather than in the image's `npm ci`, which would refuse the incomplete lock.
    if (!depKey) throw new Error(`${key} needs ${dep}, which is not in package-lock.json`);
    queue.push(depKey);
  }
  for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
    // Optional dependencies for other platforms are legitimately absent from the lock.
    const [depKey] = lockEntry(dep, key);
    if (depKey) queue.push(depKey);
  }
}

const manifest = {
  name: `@ridestream/${appName}-dist`,
  version: rootPkg.version,
  private: true,
  type: 'module',
  engines: { node: '>=22' },
  dependencies,
};
writeFileSync(join(outdir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
writeFileSync(
  join(outdir, 'package-lock.json'),
  JSON.stringify(
    {
      name: manifest.name,
      version: manifest.version,
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: manifest.name, version: manifest.version, dependencies }, ...lockPackages },
    },
    null,
    2,
  ) + '\n',
);

for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.map')) console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
}
console.log(
  `external: ${
    Object.entries(dependencies)
      .map(([n, v]) => `${n}@${v}`)
      .join(', ') || '(none)'
  }`,
);
