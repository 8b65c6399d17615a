import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  log4jProperties,
  parsePorts,
  scramFormatArgs,
  serverProperties,
  type BrokerPorts,
  type SaslSslListener,
  type ScramUser,
} from './broker-config';
import { KafkaToolError } from './errors';
import { exec, lastLines } from './exec';
import type { KafkaLayout } from './paths';
import { assertPortFree, isPortFree, pickListenPorts } from './ports';
import { waitUntilReady, warmUpCoordinators, type ProbeSecurity } from './probe';
import { isBrokerProcess, spawnBroker, terminate } from './process';
import { removeState, writeState, type BrokerState } from './state';

/**
 * Half of the 1 GiB the official scripts give the broker: plenty for tests and local
 * benchmarks on a 2-core machine whose memory the tests and the JVM share.
 * KAFKA_HEAP_OPTS replaces it, as with the official scripts.
 */
const DEFAULT_HEAP = ['-Xms512m', '-Xmx512m'];
/** The GC flags of kafka-run-class.sh. */
const DEFAULT_JVM = [
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];

export interface StartBrokerOptions {
  readonly layout: KafkaLayout;
  readonly env: NodeJS.ProcessEnv;
  readonly java: string;
  readonly kafkaVersion: string;
  readonly log: (message: string) => void;
  /** A fixed client port; by default the previous one if free, else any free port. */
  readonly port: number | undefined;
  /** Every port fixed by the caller (a private broker coming back on its address); wins over `port`. */
  readonly ports?: BrokerPorts;
  readonly timeoutMs: number;
  /** SCRAM over TLS for clients (private brokers only); see `SaslSslListener`. */
  readonly saslSsl?: SaslSslOptions;
  /** Heap flags when KAFKA_HEAP_OPTS is unset. Default `-Xms512m -Xmx512m`. */
  readonly heap?: readonly string[];
  /**
   * Default true. False maps the class-data archive when there is one but never writes it: a private broker runs
   * jars that belong to the shared broker, and should not pay the ~4 s archive dump on every stop either.
   */
  readonly writeClassArchive?: boolean;
}

export interface SaslSslOptions {
  readonly listener: SaslSslListener;
  /** Written into the cluster metadata at format time, for every mechanism of the listener. */
  readonly user: ScramUser;
  /** How to reach the SASL_SSL listener once up: start() checks that the user really gets in. */
  readonly client: ProbeSecurity;
}

/**
 * Class-data sharing: the first broker run dumps the classes it loaded into an archive when it
 * exits (after a clean stop); later runs map it and skip most class loading and verification,
 * which makes a start several seconds faster on 2 cores. The JVM ignores an archive that does
 * not match the classpath and runs without it, so this never stops a start.
 */
function classSharing(layout: KafkaLayout, write: boolean): string[] {
  if (existsSync(layout.cdsArchive)) return [`-XX:SharedArchiveFile=${layout.cdsArchive}`];
  return write ? [`-XX:ArchiveClassesAtExit=${layout.cdsArchive}`] : [];
}

/** Kafka's Uuid text form: 16 random bytes, base64url without padding, never starting with '-'. */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function choosePorts(layout: KafkaLayout, port: number | undefined, fixed?: BrokerPorts): Promise<BrokerPorts> {
  if (fixed) {
    await assertPortFree(fixed.port);
    await assertPortFree(fixed.controllerPort);
    return fixed;
  }
  if (port !== undefined) {
    await assertPortFree(port);
    const [controllerPort] = await pickListenPorts(1);
    return { port, controllerPort: controllerPort! };
  }
  // A stable address across restarts is friendlier to anyone who pasted it somewhere.
  const previous = existsSync(layout.serverProperties)
    ? parsePorts(readFileSync(layout.serverProperties, 'utf8'))
    : undefined;
  if (previous && (await isPortFree(previous.port)) && (await isPortFree(previous.controllerPort))) {
    return previous;
  }
  const [fresh, controllerPort] = await pickListenPorts(2);
  return { port: fresh!, controllerPort: controllerPort! };
}

/** Formats the KRaft metadata log once per data dir, as a single-voter dynamic quorum. */
async function formatStorage(
  java: string,
  layout: KafkaLayout,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
  extraArgs: readonly string[] = [],
): Promise<boolean> {
  if (existsSync(layout.metaFile)) return false;
  // No meta.properties means a fresh or half-formatted dir: start it over.
  rmSync(layout.dataDir, { recursive: true, force: true });
  mkdirSync(layout.dataDir, { recursive: true });
  log(`formatting ${layout.dataDir} (first start)`);
  const { code, output } = await exec(
    java,
    [
      '-cp',
      join(layout.libDir, '*'),
      'kafka.tools.StorageTool',
      'format',
      '--config',
      layout.serverProperties,
      '--cluster-id',
      randomClusterId(),
      '--standalone',
      ...extraArgs,
    ],
    { env },
  );
  if (code !== 0) {
    // Not the arguments: they may hold a SCRAM password.
    throw new KafkaToolError('FORMAT_FAILED', `kafka-storage format exited with ${code}:\n${lastLines(output, 20)}`);
  }
  return true;
}

function readTail(file: string, lines: number): string {
  try {
    return lastLines(readFileSync(file, 'utf8'), lines);
  } catch {
    return '';
  }
}

export async function startBroker(options: StartBrokerOptions): Promise<BrokerState> {
  const { layout, env, java, kafkaVersion, log, timeoutMs } = options;
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
  const { saslSsl } = options;
  const ports = await choosePorts(layout, options.port, options.ports);
  if (saslSsl) await assertPortFree(saslSsl.listener.internalPort);
  mkdirSync(layout.logsDir, { recursive: true });
  // With SASL_SSL the file holds the keystore password: readable by its owner only.
  writeFileSync(layout.serverProperties, serverProperties(layout, ports, saslSsl?.listener), {
    mode: saslSsl ? 0o600 : 0o666,
  });
  writeFileSync(layout.log4jConfig, log4jProperties(layout));
  const scram = saslSsl ? scramFormatArgs(saslSsl.user, saslSsl.listener.mechanisms) : [];
  if (await formatStorage(java, layout, env, log, scram)) log(`formatted in ${elapsed()}`);

  const heap = env['KAFKA_HEAP_OPTS']?.trim()
    ? env['KAFKA_HEAP_OPTS'].trim().split(/\s+/)
    : (options.heap ?? DEFAULT_HEAP);
  const cds = classSharing(layout, options.writeClassArchive ?? true);
  const child = spawnBroker({ java, layout, env, jvmOptions: [...heap, ...DEFAULT_JVM, ...cds] });
  if (child.pid === undefined) {
    throw new KafkaToolError('START_FAILED', `could not spawn '${java}'`);
  }
  const state: BrokerState = {
    pid: child.pid,
    ...ports,
    ...(saslSsl && { internalPort: saslSsl.listener.internalPort }),
    bootstrap: `127.0.0.1:${ports.port}`,
    kafkaVersion,
    startedAt: new Date().toISOString(),
  };
  // Recorded before the wait, so `stop` finds the process even if this one is killed meanwhile.
  writeState(layout, state);
  // A SASL_SSL broker is probed on its own PLAINTEXT listener: no credentials needed to see it come up.
  const probe = saslSsl ? `127.0.0.1:${saslSsl.listener.internalPort}` : state.bootstrap;
  log(`started Kafka ${kafkaVersion} broker (pid ${state.pid}), waiting for ${probe}`);

  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitUntilReady({ brokers: probe, timeoutMs, giveUp: () => exited });
  } catch (err) {
    const diedByItself = exited; // read before abortStart kills it
    const logTail = await abortStart(layout, state);
    const where = `logs: ${layout.logsDir}\n--- last broker log lines ---\n${logTail}`;
    if (/Address already in use|BindException/.test(logTail)) {
      const ports = `${state.bootstrap} or controller port ${state.controllerPort}`;
      throw new KafkaToolError('PORT_IN_USE', `broker could not bind ${ports}\n${where}`, { cause: err, logTail });
    }
    if (diedByItself) {
      throw new KafkaToolError('START_FAILED', `broker exited during startup\n${where}`, { cause: err, logTail });
    }
    const message = `broker did not answer on ${state.bootstrap} within ${timeoutMs} ms\n${where}`;
    throw new KafkaToolError('START_TIMEOUT', message, { cause: err, logTail });
  }
  log(`broker answers after ${elapsed()}; warming up its group and transaction coordinators`);
  try {
    await warmUpCoordinators(probe);
  } catch (err) {
    const logTail = await abortStart(layout, state);
    const message = `broker answers on ${state.bootstrap} but its group/transaction coordinators did not come up: ${(err as Error).message}`;
    throw new KafkaToolError('START_FAILED', `${message}\nlogs: ${layout.logsDir}\n${logTail}`, {
      cause: err,
      logTail,
    });
  }
  log(`coordinators ready after ${elapsed()}`);
  if (saslSsl) {
    try {
      await waitUntilReady({ brokers: state.bootstrap, timeoutMs: 15_000, security: saslSsl.client });
    } catch (err) {
      const logTail = await abortStart(layout, state);
      const message = `SASL_SSL listener ${state.bootstrap} did not let the SCRAM user in: ${(err as Error).message}`;
      throw new KafkaToolError('START_FAILED', `${message}\nlogs: ${layout.logsDir}\n${logTail}`, {
        cause: err,
        logTail,
      });
    }
    log(`SASL_SSL listener accepts the SCRAM user after ${elapsed()}`);
  }
  return state;
}

/** Kills a broker that failed to start and returns its last log lines for the error. */
async function abortStart(layout: KafkaLayout, state: BrokerState): Promise<string> {
  const logTail = [readTail(layout.stdoutLog, 20), readTail(layout.serverLog, 40)].filter(Boolean).join('\n');
  await terminate(isBrokerProcess(state.pid, layout) ? [state.pid] : [], layout, 10_000);
  removeState(layout);
  return logTail;
}
