import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { predictionApiOpenApi, producerOpenApi } from '@ridestream/contracts';
import { asyncApiDocument, streamNames } from './asyncapi';
import { loadAppConfigSchemas, renderEnvSection, replaceEnvSection } from './deploy-doc';

export interface GeneratedFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly content: string;
}

/** Where the contract documents live in the repository (the tests and the schemathesis run read them here). */
export const CONTRACT_FILES = {
  producerOpenApi: 'docs/contracts/producer.openapi.json',
  predictionApiOpenApi: 'docs/contracts/prediction-api.openapi.json',
  asyncApi: 'docs/contracts/ridestream.asyncapi.json',
} as const;

/** The repository root, from this file's place in it. */
export const REPO_ROOT = new URL('../../../', import.meta.url);

/**
 * Every file `npm run contracts` writes, with its content: the one list the writer and the staleness test share.
 * DEPLOY.md is part hand-written, so only its generated section is replaced in the committed text.
 */
export async function generatedFiles(root: URL = REPO_ROOT): Promise<GeneratedFile[]> {
  const deployDoc = readFileSync(new URL('docs/DEPLOY.md', root), 'utf8');
  const apps = await loadAppConfigSchemas(root);
  const files: GeneratedFile[] = [
    { path: 'docs/DEPLOY.md', content: replaceEnvSection(deployDoc, renderEnvSection(apps)) },
    { path: CONTRACT_FILES.producerOpenApi, content: JSON.stringify(producerOpenApi()) },
    { path: CONTRACT_FILES.predictionApiOpenApi, content: JSON.stringify(predictionApiOpenApi()) },
    { path: CONTRACT_FILES.asyncApi, content: JSON.stringify(asyncApiDocument(streamNames(apps))) },
  ];
  return Promise.all(files.map(async (f) => ({ path: f.path, content: await prettierFormat(root, f) })));
}

/** Formatted as `prettier --check .` (part of `npm test`) expects, so a fresh generation is also a clean one. */
async function prettierFormat(root: URL, f: GeneratedFile): Promise<string> {
  const filepath = fileURLToPath(new URL(f.path, root));
  return format(f.content, { ...(await resolveConfig(filepath)), filepath });
}
