import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Runs only this tool's tests, without the root config's shared-broker globalSetup:
 *   npx vitest run --config tools/kafka/vitest.config.ts
 * The integration test starts (and then stops) the broker itself through ensureKafka().
 */
export default defineConfig({
  // Keep Vite's cache in the repo's node_modules, not a new tools/kafka/node_modules.
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite/kafka-tool', import.meta.url)),
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
