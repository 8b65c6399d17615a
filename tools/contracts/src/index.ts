export { loadAppConfigSchemas, renderEnvSection } from './deploy-doc';
export type { AppConfigSchemas } from './deploy-doc';
export { describeEnvSchema, describeVariable } from './env-doc';
export type { EnvVariable } from './env-doc';
export { CONTRACT_FILES, REPO_ROOT, generatedFiles } from './documents';
