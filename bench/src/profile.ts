/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and the share of
 * time by package (kafkajs, onnxruntime, our libs, GC, idle), to say what limits a process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

export interface ProfileSummary {
  readonly file: string;
  readonly samples: number;
  /** Share of samples (0..1) by bucket. */
  readonly byBucket: Record<string, number>;
  readonly topSelf: { fn: string; where: string; share: number }[];
}

function bucket(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(program)') return 'native/program';
  if (/kafkajs/.test(url)) return 'kafkajs';
  if (/onnxruntime/.test(url)) return 'onnxruntime (session.run)';
  if (/libs\/features/.test(url)) return 'libs/features';
  if (/libs\/stream-core/.test(url)) return 'libs/stream-core';
  if (/libs\/kafka\//.test(url)) return 'libs/kafka';
  if (/zod/.test(url)) return 'zod';
  if (/pino|sonic-boom/.test(url)) return 'pino';
  if (/prom-client/.test(url)) return 'prom-client';
  if (url === '' && fn) return 'native/builtin';
  if (/^node:/.test(url)) return 'node core';
  return 'other';
}

/** Maps a position in a bundle back to its original file through the bundle's `.map` (esbuild writes one). */
function sourceResolver(): (url: string, line: number, column: number) => string {
  const maps = new Map<string, SourceMap | null>();
  return (url, line, column) => {
    if (!url.startsWith('file://')) return url;
    const path = fileURLToPath(url);
    let map = maps.get(path);
    if (map === undefined) {
      map = existsSync(`${path}.map`) ? new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))) : null;
      maps.set(path, map);
    }
    const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
    if (!entry?.originalSource) return path;
    // Sources in a map are relative to the file it maps (the bundle, or a package's own dist file).
    const original = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : fileURLToPath(new URL(entry.originalSource, url));
    return `${original}:${(entry.originalLine ?? 0) + 1}`;
  };
}

export function summarizeProfile(file: string): ProfileSummary {
  const resolveUrl = sourceResolver();
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: CpuProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfCount = new Map<number, number>();
  for (const id of profile.samples) selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const byFn = new Map<string, { fn: string; where: string; count: number }>();
  const buckets: Record<string, number> = {};
  for (const [id, count] of selfCount) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const source = resolveUrl(url, lineNumber, columnNumber);
    const fn = functionName || '(anonymous)';
    const b = bucket(source, fn);
    buckets[b] = (buckets[b] ?? 0) + count / total;
    const where = source.replace(/^.*?\/(node_modules|libs|apps|bench)\//, '$1/');
    const key = `${fn} ${where}`;
    const e = byFn.get(key) ?? { fn, where, count: 0 };
    e.count += count;
    byFn.set(key, e);
  }
  const topSelf = [...byFn.values()]
    .sort((a, b) => b.count - a.count)
    .slice(0, 20)
    .map((e) => ({ fn: e.fn, where: e.where, share: e.count / total }));
  return { file, samples: total, byBucket: buckets, topSelf };
}
