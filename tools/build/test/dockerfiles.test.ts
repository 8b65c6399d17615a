import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { APPS } from '../apps.mjs';

// No Docker engine runs here, so the images are checked by reading their Dockerfiles: each must build a bundle that
// tools/build/apps.mjs knows, copy only paths that exist, and start an entry that bundle has.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The image each app ships in; an app with a main.ts must be here or in NO_IMAGE. */
const IMAGES: Record<string, { dockerfile: string; buildArgs?: Record<string, string> }> = {
  producer: { dockerfile: 'apps/producer/Dockerfile' },
  'duration-consumer': { dockerfile: 'deploy/docker/consumer.Dockerfile', buildArgs: { APP: 'duration-consumer' } },
  'tip-consumer': { dockerfile: 'deploy/docker/consumer.Dockerfile', buildArgs: { APP: 'tip-consumer' } },
  'consumer-lambda': { dockerfile: 'apps/consumer-lambda/Dockerfile' },
  'prediction-api': { dockerfile: 'apps/prediction-api/Dockerfile' },
  batch: { dockerfile: 'apps/batch/Dockerfile' },
};
/** Apps that ship in no image of their own, and why; each one is a decision, not an oversight. */
const NO_IMAGE: Record<string, string> = {
  replay: 'bundled into the producer image as replay.js',
  subscriber: 'a developer CLI (npm run subscribe)',
  monitor: 'no image yet (left for after)',
  dashboard: 'the live view of npm start; no bundle or image yet',
};

const appsWithMain = readdirSync(join(root, 'apps')).filter((a) => existsSync(join(root, 'apps', a, 'src/main.ts')));

/** The Dockerfile's text with its build args substituted (`${APP}`, `$APP`), line continuations joined. */
function dockerfile(app: string): string {
  const { dockerfile: path, buildArgs = {} } = IMAGES[app]!;
  let text = read(path).replace(/\\\n/g, ' ');
  for (const [name, value] of Object.entries(buildArgs))
    text = text.replace(new RegExp(`\\$\\{?${name}\\}?`, 'g'), value);
  return text;
}
const instructions = (text: string, op: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${op} `))
    .map((l) => l.slice(op.length + 1).trim());

describe('Dockerfiles', () => {
  it('cover every app with a main.ts, and only apps that exist', () => {
    const covered = [...Object.keys(IMAGES), ...Object.keys(NO_IMAGE)].sort();
    expect(covered).toEqual([...appsWithMain].sort());
  });

  it.each(Object.keys(IMAGES))('%s: bundles an app of tools/build/apps.mjs and starts one of its entries', (app) => {
    const text = dockerfile(app);
    const bundled = instructions(text, 'RUN')
      .map((r) => /node tools\/build\/bundle\.mjs (\S+)/.exec(r)?.[1])
      .filter((a) => a !== undefined);
    expect(bundled).toEqual([app]);
    const entries = Object.keys(APPS[app as keyof typeof APPS]!.entries);
    for (const [, src] of Object.entries(APPS[app as keyof typeof APPS]!.entries)) {
      const file = src.startsWith('/') ? src.slice(1) : `apps/${app}/${src}`;
      expect(existsSync(join(root, file)), `${app}: bundle entry ${file}`).toBe(true);
    }
    const cmd = JSON.parse(instructions(text, 'CMD').at(-1)!) as string[];
    expect(cmd[0]).toBe('node');
    expect(entries.map((e) => `${e}.js`)).toContain(cmd[1]);
  });

  it.each(Object.keys(IMAGES))('%s: copies only what exists, and the bundle of its own app', (app) => {
    const text = dockerfile(app);
    for (const copy of instructions(text, 'COPY')) {
      const parts = copy.split(/\s+/).filter((p) => !p.startsWith('--'));
      const sources = parts.slice(0, -1);
      if (copy.includes('--from=build')) {
        for (const s of sources.filter((p) => p.startsWith('/src/dist/'))) expect(s).toMatch(`/src/dist/apps/${app}/`);
      } else {
        for (const s of sources) expect(existsSync(join(root, s)), `${app}: COPY ${s}`).toBe(true);
      }
    }
  });

  it.each(Object.keys(IMAGES))('%s: builds and runs on a Node 22 image', (app) => {
    const text = dockerfile(app);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:22-/m);
    expect(instructions(text, 'FROM')).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS runtime']);
  });

  it('rejects an unknown APP in the consumer Dockerfile', () => {
    const text = read('deploy/docker/consumer.Dockerfile');
    const allowed = /case "\$APP" in ([^)]+)\)/.exec(text)?.[1]?.split('|');
    const consumers = Object.entries(IMAGES).filter(([, i]) => i.dockerfile === 'deploy/docker/consumer.Dockerfile');
    expect(allowed?.sort()).toEqual(consumers.map(([a]) => a).sort());
  });

  it('docker-compose builds each service from its app image', () => {
    const compose = parse(read('docker-compose.yml')) as {
      services: Record<string, { build?: { dockerfile: string; args?: Record<string, string> } }>;
    };
    const built = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(built.length).toBeGreaterThan(0);
    for (const [name, s] of built) {
      expect(IMAGES[name], `compose service ${name}`).toBeDefined();
      expect(s.build!.dockerfile).toBe(IMAGES[name]!.dockerfile);
      expect(s.build!.args ?? {}).toEqual(IMAGES[name]!.buildArgs ?? {});
    }
  });

  it('deploy/k8s pulls only images that a Dockerfile builds', () => {
    const dir = join(root, 'deploy/k8s/base');
    const images = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => JSON.stringify(d.toJSON())))
      .flatMap((doc) => [...doc.matchAll(/"image":"ridestream\/([^":]+)/g)].map((m) => m[1]!));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(Object.keys(IMAGES), `ridestream/${image}`).toContain(image);
  });
});
