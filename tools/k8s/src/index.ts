export { crdSchemas, kubernetesSchemas, schemaFileName } from './schemas';
export { GO_TOOLS, REPO_ROOT, SCHEMA_MODULES, ensureGoTools, goModuleDir } from './toolchain';
export {
  CRD_SCHEMA_DIR,
  K8S_SCHEMA_DIR,
  kedaSchemaFiles,
  kubeconform,
  overlays,
  prepareToolchain,
  render,
  validateAll,
} from './validate';
export type { Toolchain } from './validate';
