/**
 * `npm run contracts`: writes the documents generated from the zod schemas: the OpenAPI and AsyncAPI documents in
 * docs/contracts/ and docs/DEPLOY.md's variable tables.
 * The unit tests in tools/contracts/test fail while a committed copy differs from what this would write.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { REPO_ROOT, generatedFiles } from './documents';

for (const file of await generatedFiles()) {
  const url = new URL(file.path, REPO_ROOT);
  mkdirSync(new URL('.', url), { recursive: true });
  writeFileSync(url, file.content);
  console.log(`wrote ${file.path}`);
}
