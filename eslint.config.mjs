import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Each transport's client packages: only that transport's lib (and apps, tools, tests) may import them. */
const KAFKA_PACKAGES = ['kafkajs', '@platformatic/kafka'];
// Only the Kinesis clients: libs/model reads models from S3 with @aws-sdk/client-s3, which is no transport.
const KINESIS_PACKAGES = ['@aws-sdk/client-kinesis', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];

/** Packages that only data-access libs and apps may touch: the domain lib stays pure and portable. */
const IO_PACKAGES = [
  'kafkajs',
  '@aws-sdk/*',
  '@smithy/*',
  'onnxruntime-node',
  'pino',
  'fastify',
  'prom-client',
  'hyparquet*',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.cache/**', '.nx/**', 'training/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The one error base imports nothing, so that the pure domain lib may extend it too.
          allow: ['@ridestream/runtime/errors'],
          depConstraints: [
            // Apps compose libs; no app may import another app (Nx forbids app imports by default, this states it).
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util'] },
            // Data access (Kafka, Kinesis, ONNX, parquet) may use the domain lib and utilities, never an app.
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util'],
            },
            // The domain lib is pure: no I/O libs, no runtime, no transport.
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:feature'],
              bannedExternalImports: [...IO_PACKAGES, 'node:fs', 'node:net', 'node:http', 'fs', 'net', 'http'],
            },
            // Utilities (config, logging, lifecycle) serve every process, a CLI as much as a server: no HTTP framework
            // (the ops HTTP server is libs/ops-http, a data-access lib) and no transport or model client.
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: ['kafkajs', '@aws-sdk/*', 'onnxruntime-node', 'fastify', '@fastify/*'],
            },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:tool'],
            },
            // Transports are symmetric adapters around one neutral core: the core and the libs beside it import no
            // transport, and neither transport imports the other. Only the consumer entry (transport:all) sees both.
            // (libs/features, the pure domain lib, counts as transport-neutral through its type:feature tag.)
            {
              sourceTag: 'transport:none',
              onlyDependOnLibsWithTags: ['transport:none', 'type:feature'],
              bannedExternalImports: [...KAFKA_PACKAGES, ...KINESIS_PACKAGES],
            },
            {
              sourceTag: 'transport:kafka',
              onlyDependOnLibsWithTags: ['transport:none', 'type:feature', 'transport:kafka'],
              bannedExternalImports: KINESIS_PACKAGES,
            },
            {
              sourceTag: 'transport:kinesis',
              onlyDependOnLibsWithTags: ['transport:none', 'type:feature', 'transport:kinesis'],
              bannedExternalImports: KAFKA_PACKAGES,
            },
            {
              sourceTag: 'transport:all',
              onlyDependOnLibsWithTags: ['transport:none', 'type:feature', 'transport:kafka', 'transport:kinesis'],
            },
            // Integration and end-to-end tests drive whole services through libs and test tooling.
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:tool'],
            },
          ],
        },
      ],
    },
  },
  {
    // Focused or skipped tests never reach main.
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' },
        { object: 'it', property: 'skip' },
        { object: 'describe', property: 'only' },
        { object: 'describe', property: 'skip' },
        { object: 'test', property: 'only' },
        { object: 'test', property: 'skip' },
      ],
    },
  },
);
