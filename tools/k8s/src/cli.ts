/**
 * `npm run k8s -- validate`: renders every overlay with kustomize and validates it with kubeconform, offline (the
 * tools from the Go module proxy into .cache/bin, the schemas generated from Go modules).
 * `npm run k8s -- keda-schemas`: rewrites deploy/k8s/schemas/ from KEDA's CRDs (after bumping its version).
 * `npm run k8s -- render <overlay>`: prints the rendered manifests.
 */
import { writeFileSync } from 'node:fs';
import { CRD_SCHEMA_DIR, kedaSchemaFiles, prepareToolchain, render, validateAll } from './validate';

const [command, arg] = process.argv.slice(2);
if (command === 'validate') {
  const r = await validateAll(await prepareToolchain());
  console.log(r.output);
  process.exitCode = r.ok ? 0 : 1;
} else if (command === 'keda-schemas') {
  for (const [name, content] of await kedaSchemaFiles()) {
    writeFileSync(`${CRD_SCHEMA_DIR}/${name}`, content);
    console.log(`wrote deploy/k8s/schemas/${name}`);
  }
} else if (command === 'render' && arg) {
  process.stdout.write(await render(await prepareToolchain(), arg));
} else {
  console.error('usage: npm run k8s -- validate | keda-schemas | render deploy/k8s/overlays/<name>');
  process.exitCode = 2;
}
