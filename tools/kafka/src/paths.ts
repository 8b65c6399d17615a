import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tools/kafka, where pom.xml lives; found from this file so any cwd works. */
export const TOOL_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = join(TOOL_DIR, '..', '..');
export const POM_PATH = join(TOOL_DIR, 'pom.xml');
export const DEFAULT_CACHE_DIR = join(REPO_ROOT, '.cache', 'kafka');

/** Everything the tool writes lives under one gitignored directory. */
export interface KafkaLayout {
  readonly cacheDir: string;
  readonly libDir: string;
  /** Holds the pom hash of the jars in libDir; a different hash means fetch again. */
  readonly stampFile: string;
  /** JVM class-data-sharing archive of the broker's classes; lives and dies with libDir. */
  readonly cdsArchive: string;
  readonly dataDir: string;
  /** Written by `StorageTool format`; its presence means the data dir is formatted. */
  readonly metaFile: string;
  readonly logsDir: string;
  /** JVM stdout/stderr: catches failures that happen before log4j is up. */
  readonly stdoutLog: string;
  readonly serverLog: string;
  readonly serverProperties: string;
  readonly log4jConfig: string;
  readonly stateFile: string;
  readonly lockFile: string;
}

export interface KafkaLayoutOptions {
  /**
   * Where the jars are, when not `<cacheDir>/lib`: a private broker (see `startPrivateKafka`) keeps its own data,
   * logs and config but runs the jars the shared broker already fetched, instead of fetching 54 MB again.
   */
  readonly libDir?: string;
}

export function kafkaLayout(cacheDir: string = DEFAULT_CACHE_DIR, options: KafkaLayoutOptions = {}): KafkaLayout {
  const dataDir = join(cacheDir, 'data');
  const logsDir = join(cacheDir, 'logs');
  const libDir = options.libDir ?? join(cacheDir, 'lib');
  return {
    cacheDir,
    libDir,
    stampFile: join(libDir, '.pom-sha256'),
    cdsArchive: join(libDir, 'kafka-classes.jsa'),
    dataDir,
    metaFile: join(dataDir, 'meta.properties'),
    logsDir,
    stdoutLog: join(logsDir, 'stdout.log'),
    serverLog: join(logsDir, 'server.log'),
    serverProperties: join(cacheDir, 'server.properties'),
    log4jConfig: join(cacheDir, 'log4j2.properties'),
    stateFile: join(cacheDir, 'state.json'),
    lockFile: join(cacheDir, 'start.lock'),
  };
}
