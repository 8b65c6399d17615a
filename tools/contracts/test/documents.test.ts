import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles, REPO_ROOT } from '../src/documents';

describe('generated documents', async () => {
  const files = await generatedFiles();

  it('returns every contract document and DEPLOY.md', () => {
    expect(files.map((f) => f.path).sort()).toEqual([
      'docs/DEPLOY.md',
      'docs/contracts/prediction-api.openapi.json',
      'docs/contracts/producer.openapi.json',
      'docs/contracts/ridestream.asyncapi.json',
    ]);
  });

  it.each(files.map((f) => [f.path, f.content]))(
    'returns %s as committed (run `npm run contracts` after changing a zod schema)',
    (path, content) => {
      expect(readFileSync(new URL(path, REPO_ROOT), 'utf8')).toBe(content);
    },
  );
});
