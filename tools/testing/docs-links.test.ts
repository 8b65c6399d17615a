/**
 * The docs stay true where a machine can tell: every relative link in README.md and docs/*.md points at a file
 * that exists, and every `#anchor` at a heading of its target (GitHub's slugs). External links are not fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './process';

const DOCS = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown without fenced code blocks, where neither a `#` line is a heading nor a `[x](y)` a link. */
const unfenced = (md: string) => md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
/** ... and without inline code, for links. */
const prose = (md: string) => unfenced(md).replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats suffixed -1, -2, ... */
export function headingAnchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, text] of unfenced(md).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = text!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Every broken relative link of `file` (repository-relative), as `file: [text](target) -> why`. */
export function brokenLinks(file: string): string[] {
  const md = readFileSync(join(REPO_ROOT, file), 'utf8');
  const broken: string[] = [];
  for (const [, text, target] of prose(md).matchAll(/\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // http:, https:, mailto:
    const [path, anchor] = target!.split('#') as [string, string | undefined];
    const resolved = path ? join(dirname(join(REPO_ROOT, file)), decodeURIComponent(path)) : join(REPO_ROOT, file);
    const where = relative(REPO_ROOT, resolved);
    if (!existsSync(resolved)) {
      broken.push(`${file}: [${text}](${target}) -> ${where} does not exist`);
      continue;
    }
    if (anchor === undefined || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue;
    if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase()))
      broken.push(`${file}: [${text}](${target}) -> no heading #${anchor} in ${where}`);
  }
  return broken;
}

describe('docs links', () => {
  it('returns the anchors GitHub gives headings', () => {
    expect([...headingAnchors('# On Kinesis\n## Model lifecycle (measured)\n## A `code` B\n# On Kinesis\n')]).toEqual([
      'on-kinesis',
      'model-lifecycle-measured',
      'a-code-b',
      'on-kinesis-1',
    ]);
  });

  it.each(DOCS)('%s: every relative link and anchor resolves', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });
});
