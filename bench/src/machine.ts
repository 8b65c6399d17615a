/** The box and the versions a result was measured with. */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { PYTHON_DIR, ROOT, modelPath } from './paths';

export interface Machine {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly ramGiB: number;
  readonly kernel: string;
  readonly loadAverageAtStart: readonly number[];
  /** Share of the last 60 s in which some runnable task waited for a CPU (/proc/pressure/cpu), in %. */
  readonly cpuPressureAtStart?: number;
}

/** Linux PSI: % of the last 60 s in which at least one runnable task was waiting for a CPU (other work on the box). */
export function cpuPressure(): number | undefined {
  try {
    const m = /^some avg10=[\d.]+ avg60=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface Versions {
  readonly node: string;
  readonly kafka: string;
  readonly java: string;
  readonly npm: Record<string, string>;
  readonly python: Record<string, string>;
  /** The shipped models measured: card version and sha256 (models/ may be retrained between runs). */
  readonly models: Record<string, { version: string; sha256: string; bytes: number }>;
}

/** stdout, or stderr when stdout is empty (`java -version` prints there). */
const quiet = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  return (r.stdout?.trim() || r.stderr?.trim()) ?? '';
};

export function machine(): Machine {
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: quiet('uname', ['-r']),
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    cpuPressureAtStart: cpuPressure(),
  };
}

export function versions(): Versions {
  const require = createRequire(`${ROOT}package.json`);
  const npm: Record<string, string> = {};
  for (const name of ['kafkajs', 'onnxruntime-node', 'prom-client', 'fastify', 'zod', 'autocannon']) {
    try {
      npm[name] = (
        JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }
      ).version;
    } catch {
      npm[name] = 'not installed';
    }
  }
  const pom = readFileSync(`${ROOT}tools/kafka/pom.xml`, 'utf8');
  let python: Record<string, string> = {};
  try {
    python = JSON.parse(
      quiet(`${PYTHON_DIR}/.venv/bin/python`, [
        '-c',
        'import json, sys, importlib.metadata as m; print(json.dumps({"python": sys.version.split()[0], **{p: m.version(p) for p in ["confluent-kafka", "onnxruntime", "scikit-learn", "numpy", "scipy", "pandas"]}, "librdkafka": __import__("confluent_kafka").libversion()[0]}))',
      ]),
    ) as Record<string, string>;
  } catch {
    // no venv: the Python section did not run
  }
  const models: Versions['models'] = {};
  for (const key of ['duration', 'tip', 'duration-baseline'] as const) {
    try {
      const card = JSON.parse(readFileSync(`${ROOT}models/${key}/model.json`, 'utf8')) as {
        version: unknown;
        sha256: string;
      };
      models[key] = { version: String(card.version), sha256: card.sha256, bytes: statSync(modelPath(key)).size };
    } catch {
      // not shipped
    }
  }
  return {
    models,
    node: process.version,
    kafka: /<kafka\.version>([^<]+)</.exec(pom)?.[1] ?? 'unknown',
    java: quiet('java', ['-version']).split('\n')[0] ?? 'unknown',
    npm,
    python,
  };
}
