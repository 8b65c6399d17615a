/**
 * `npm run contracts`: writes the documents generated from the zod schemas (docs/DEPLOY.md's variable tables, ...).
 * The unit tests in tools/contracts/test fail while a committed copy differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { REPO_ROOT, generatedFiles } from './documents';

for (const file of await generatedFiles()) {
  writeFileSync(new URL(file.path, REPO_ROOT), file.content);
  console.log(`wrote ${file.path}`);
}
