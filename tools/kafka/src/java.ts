import { join } from 'node:path';
import { KafkaToolError } from './errors';
import { exec, isEnoent } from './exec';

/** Kafka 4 brokers and tools need Java 17 or newer. */
const MIN_JAVA_MAJOR = 17;

/** Same rule as Kafka's own scripts: $JAVA_HOME/bin/java when set, else `java` on PATH. */
export function javaCommand(env: NodeJS.ProcessEnv): string {
  const home = env['JAVA_HOME'];
  return home ? join(home, 'bin', 'java') : 'java';
}

/** Parses `java -version` output: `"17.0.15"` -> 17, old style `"1.8.0_402"` -> 8. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Fails with JAVA_MISSING / JAVA_TOO_OLD before anything slower runs. */
export async function checkJava(env: NodeJS.ProcessEnv): Promise<string> {
  const java = javaCommand(env);
  let output: string;
  try {
    ({ output } = await exec(java, ['-version'], { env }));
  } catch (err) {
    if (!isEnoent(err)) throw err;
    throw new KafkaToolError(
      'JAVA_MISSING',
      `cannot run '${java}': no Java found. Install a JDK ${MIN_JAVA_MAJOR}+ ` +
        `(e.g. 'apt-get install -y openjdk-17-jdk-headless') or set JAVA_HOME.`,
      { cause: err },
    );
  }
  const major = parseJavaMajor(output);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new KafkaToolError(
      'JAVA_TOO_OLD',
      `'${java}' is Java ${major ?? 'of unknown version'}; Kafka 4 needs ${MIN_JAVA_MAJOR}+. ` +
        `Install a newer JDK or point JAVA_HOME at one.`,
    );
  }
  return java;
}
