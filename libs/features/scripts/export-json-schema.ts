/** Writes libs/features/schemas/*.json from the zod contracts. A unit test fails when they are stale. */
import { writeFileSync } from 'node:fs';
import { contractJsonSchemas } from '../src/json-schema';

for (const [file, schema] of Object.entries(contractJsonSchemas())) {
  writeFileSync(new URL(`../schemas/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote libs/features/schemas/${file}`);
}
