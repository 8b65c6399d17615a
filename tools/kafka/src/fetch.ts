import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KafkaToolError } from './errors';
import { exec, isEnoent, lastLines } from './exec';
import { checkJava } from './java';
import { POM_PATH, TOOL_DIR, type KafkaLayout } from './paths';

export interface FetchOptions {
  readonly layout: KafkaLayout;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (message: string) => void;
}

export interface FetchResult {
  readonly kafkaVersion: string;
  /** False when the stamp matched and Maven was not run. */
  readonly fetched: boolean;
}

/** The pinned Kafka version, read from the pom so there is one place to change it. */
export function pinnedKafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM_PATH, 'utf8'));
  if (!match?.[1]) throw new Error(`no <kafka.version> in ${POM_PATH}`);
  return match[1];
}

function pomHash(): string {
  return createHash('sha256').update(readFileSync(POM_PATH)).digest('hex');
}

export function isFetched(layout: KafkaLayout): boolean {
  return existsSync(layout.stampFile) && readFileSync(layout.stampFile, 'utf8').trim() === pomHash();
}

/**
 * Resolves the broker jars with Maven into `lib/`. Quick no-op when the stamp holds the
 * current pom hash. Maven writes into a temporary directory that is renamed into place,
 * so an interrupted or concurrent fetch never leaves a half-filled or mixed-version lib/.
 */
export async function fetchKafka({ layout, env, log }: FetchOptions): Promise<FetchResult> {
  const kafkaVersion = pinnedKafkaVersion();
  if (isFetched(layout)) return { kafkaVersion, fetched: false };

  await checkJava(env);
  log(`fetching Apache Kafka ${kafkaVersion} jars with Maven (first time takes ~30 s)...`);
  mkdirSync(layout.cacheDir, { recursive: true });
  const tmpDir = `${layout.libDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  const args = [
    '-B',
    '-q',
    '-Dstyle.color=never',
    '-f',
    POM_PATH,
    'dependency:copy-dependencies',
    `-Dkafka.lib.dir=${tmpDir}`,
  ];
  let result;
  try {
    result = await exec('mvn', args, { cwd: TOOL_DIR, env });
  } catch (err) {
    if (!isEnoent(err)) throw err;
    throw new KafkaToolError(
      'MAVEN_MISSING',
      "cannot run 'mvn': Maven is not installed or not on PATH. Install it (e.g. 'apt-get install -y maven').",
      { cause: err },
    );
  }
  if (result.code !== 0) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw new KafkaToolError(
      'FETCH_FAILED',
      `mvn exited with ${result.code} while resolving Kafka ${kafkaVersion}:\n${lastLines(result.output, 30)}`,
      { logTail: result.output },
    );
  }
  writeFileSync(join(tmpDir, basename(layout.stampFile)), `${pomHash()}\n`);
  rmSync(layout.libDir, { recursive: true, force: true });
  renameSync(tmpDir, layout.libDir);
  return { kafkaVersion, fetched: true };
}
