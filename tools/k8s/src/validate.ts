import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';
import { crdSchemas, kubernetesSchemas } from './schemas';
import { REPO_ROOT, SCHEMA_MODULES, ensureGoTools, goModuleDir } from './toolchain';

const run = promisify(execFile);

/** The committed CRD schemas (kubeconform cannot download them; a unit test keeps them equal to KEDA's CRDs). */
export const CRD_SCHEMA_DIR = `${REPO_ROOT}deploy/k8s/schemas`;
/** The Kubernetes schemas, generated on demand (about 8 MB: not worth a commit, regenerated in ~2 s). */
export const K8S_SCHEMA_DIR = `${REPO_ROOT}.cache/k8s-schemas/v${SCHEMA_MODULES.kubernetes.kubernetesVersion}`;

/** The KEDA CRD schemas as they would be committed, file name -> content. */
export async function kedaSchemaFiles(): Promise<Map<string, string>> {
  const dir = await goModuleDir(SCHEMA_MODULES.keda.module);
  const out = new Map<string, string>();
  for (const file of SCHEMA_MODULES.keda.files) {
    for (const [name, schema] of crdSchemas(parse(readFileSync(`${dir}/${file}`, 'utf8')))) {
      // Formatted as `prettier --check .` expects, so a regeneration is a clean diff.
      const filepath = `${CRD_SCHEMA_DIR}/${name}`;
      out.set(name, await format(JSON.stringify(schema), { ...(await resolveConfig(filepath)), filepath }));
    }
  }
  return out;
}

/** Writes the Kubernetes schemas into .cache unless already there for this version. */
export async function ensureKubernetesSchemas(): Promise<string> {
  const stamp = `${K8S_SCHEMA_DIR}/.complete`;
  try {
    readFileSync(stamp);
    return K8S_SCHEMA_DIR;
  } catch {
    // not generated yet
  }
  const dir = await goModuleDir(SCHEMA_MODULES.kubernetes.module);
  const swagger = JSON.parse(readFileSync(`${dir}/${SCHEMA_MODULES.kubernetes.file}`, 'utf8'));
  rmSync(K8S_SCHEMA_DIR, { recursive: true, force: true });
  mkdirSync(K8S_SCHEMA_DIR, { recursive: true });
  for (const [name, schema] of kubernetesSchemas(swagger))
    writeFileSync(`${K8S_SCHEMA_DIR}/${name}`, JSON.stringify(schema));
  writeFileSync(stamp, SCHEMA_MODULES.kubernetes.module);
  return K8S_SCHEMA_DIR;
}

export interface Toolchain {
  readonly kustomize: string;
  readonly kubeconform: string;
  readonly k8sSchemas: string;
}

export async function prepareToolchain(): Promise<Toolchain> {
  const tools = await ensureGoTools();
  return { ...tools, k8sSchemas: await ensureKubernetesSchemas() };
}

/** Every overlay under deploy/k8s/overlays (each one is a deployable variant). */
export function overlays(): string[] {
  return readdirSync(`${REPO_ROOT}deploy/k8s/overlays`).map((o) => `deploy/k8s/overlays/${o}`);
}

/** `kustomize build` of a directory relative to the repository root. */
export async function render(t: Toolchain, dir: string): Promise<string> {
  const { stdout } = await run(t.kustomize, ['build', `${REPO_ROOT}${dir}`], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * kubeconform in strict mode on YAML given on stdin, with the generated Kubernetes schemas and the committed CRD
 * schemas only: a kind with no schema is an error (never skipped), and nothing is downloaded.
 */
export async function kubeconform(t: Toolchain, yaml: string): Promise<{ ok: boolean; output: string }> {
  const args = [
    '-strict',
    '-summary',
    '-output',
    'text',
    '-schema-location',
    `${t.k8sSchemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    '-schema-location',
    `${CRD_SCHEMA_DIR}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    '-',
  ];
  return new Promise((resolve, reject) => {
    const child = execFile(t.kubeconform, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ ok: !err, output });
    });
    child.stdin?.end(yaml);
  });
}

/** Renders every overlay and the standalone examples, and validates each; the output names every problem. */
export async function validateAll(t: Toolchain): Promise<{ ok: boolean; output: string }> {
  const results: string[] = [];
  let ok = true;
  const examples = readdirSync(`${REPO_ROOT}deploy/k8s/examples`).map((f) => `deploy/k8s/examples/${f}`);
  for (const target of [...overlays(), ...examples]) {
    const yaml = target.endsWith('.yaml') ? readFileSync(`${REPO_ROOT}${target}`, 'utf8') : await render(t, target);
    const r = await kubeconform(t, yaml);
    ok &&= r.ok;
    results.push(`${target}: ${r.output.trim()}`);
  }
  return { ok, output: results.join('\n') };
}
