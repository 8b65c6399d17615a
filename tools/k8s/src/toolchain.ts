import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN_DIR = `${REPO_ROOT}.cache/bin`;

/**
 * Pinned Go tools and the Go modules whose files give the schemas. Versions chosen to build with this machine's Go
 * (1.26; kustomize 5.8.3 needs kustomize/api v0.21.3, which needs Go 1.27).
 */
export const GO_TOOLS = {
  kubeconform: 'github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0',
  kustomize: 'sigs.k8s.io/kustomize/kustomize/v5@v5.8.1',
} as const;
export const SCHEMA_MODULES = {
  /** Ships the Kubernetes v1.27.0 API swagger document as test data of its schema converter (a kustomize dep). */
  kubernetes: {
    module: 'k8s.io/kube-openapi@v0.0.0-20241212222426-2c72e554b1e7',
    file: 'pkg/schemaconv/testdata/swagger.json',
    kubernetesVersion: '1.27.0',
  },
  /** KEDA's own CRD manifests, the source of the ScaledObject and TriggerAuthentication schemas. */
  keda: {
    module: 'github.com/kedacore/keda/v2@v2.21.0',
    files: ['config/crd/bases/keda.sh_scaledobjects.yaml', 'config/crd/bases/keda.sh_triggerauthentications.yaml'],
  },
} as const;

// The machine's own Go: a `toolchain` line elsewhere must not make `go` fetch another one.
const goEnv = () => ({ ...process.env, GOTOOLCHAIN: 'local' });

/**
 * Installs the pinned tools into .cache/bin with `go install` from the Go module proxy, unless that exact version is
 * already there (a stamp file per tool). Returns the path of each executable.
 */
export async function ensureGoTools(): Promise<Record<keyof typeof GO_TOOLS, string>> {
  mkdirSync(BIN_DIR, { recursive: true });
  const out = {} as Record<keyof typeof GO_TOOLS, string>;
  for (const [name, pkg] of Object.entries(GO_TOOLS) as [keyof typeof GO_TOOLS, string][]) {
    const bin = `${BIN_DIR}/${name}`;
    const stamp = `${bin}.version`;
    if (!existsSync(bin) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== pkg) {
      try {
        await run('go', ['install', pkg], { env: { ...goEnv(), GOBIN: BIN_DIR } });
      } catch (cause) {
        throw new Error(`go install ${pkg} failed (needs Go >= 1.24 on PATH): ${String(cause)}`, { cause });
      }
      writeFileSync(stamp, pkg);
    }
    out[name] = bin;
  }
  return out;
}

/** The extracted directory of a Go module version (downloaded from the proxy into the module cache once). */
export async function goModuleDir(moduleAtVersion: string): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', moduleAtVersion], { env: goEnv(), cwd: '/' });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${moduleAtVersion}: ${info.Error ?? 'no directory'}`);
  return info.Dir;
}
