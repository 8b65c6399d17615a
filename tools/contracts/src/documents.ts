import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { loadAppConfigSchemas, renderEnvSection, replaceEnvSection } from './deploy-doc';

export interface GeneratedFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly content: string;
}

/** The repository root, from this file's place in it. */
export const REPO_ROOT = new URL('../../../', import.meta.url);

/**
 * Every file `npm run contracts` writes, with its content: the one list the writer and the staleness test share.
 * DEPLOY.md is part hand-written, so only its generated section is replaced in the committed text.
 */
export async function generatedFiles(root: URL = REPO_ROOT): Promise<GeneratedFile[]> {
  const deployDoc = readFileSync(new URL('docs/DEPLOY.md', root), 'utf8');
  const files: GeneratedFile[] = [
    {
      path: 'docs/DEPLOY.md',
      content: replaceEnvSection(deployDoc, renderEnvSection(await loadAppConfigSchemas(root))),
    },
  ];
  return Promise.all(files.map(async (f) => ({ path: f.path, content: await prettierFormat(root, f) })));
}

/** Formatted as `prettier --check .` (part of `npm test`) expects, so a fresh generation is also a clean one. */
async function prettierFormat(root: URL, f: GeneratedFile): Promise<string> {
  const filepath = fileURLToPath(new URL(f.path, root));
  return format(f.content, { ...(await resolveConfig(filepath)), filepath });
}
