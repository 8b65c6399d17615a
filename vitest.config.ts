import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import tsconfig from './tsconfig.base.json' with { type: 'json' };

// Resolve the `@ridestream/*` path aliases the same way tsc and tsx do, from tsconfig.base.json. Exact matches:
// a prefix match would send `@ridestream/features/testing` into `@ridestream/features`.
const alias = Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => ({
  find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`),
  replacement: fileURLToPath(new URL(target!, import.meta.url)),
}));

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['{apps,libs,tools,bench}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
          // Some unit tests read a whole real TLC month (~1-2 s alone); a shared 2-core box can make that 10 s.
          testTimeout: 30_000,
          // Unit tests first; the two projects differ in maxWorkers, so each needs its own group.
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{apps,libs,tools,tests}/**/*.int.test.ts'],
          environment: 'node',
          // One real broker per run, shared by every test file; each test makes its own topics and groups.
          globalSetup: ['./tests/integration/support/kafka-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: more parallel files would only fight the broker for CPU.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
