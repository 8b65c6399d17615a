import { startBroker } from './broker';
import { KafkaToolError } from './errors';
import { fetchKafka as fetchJars, pinnedKafkaVersion } from './fetch';
import { checkJava } from './java';
import { kafkaLayout, type KafkaLayout } from './paths';
import { assertPortFree } from './ports';
import { describeCluster, waitUntilReady } from './probe';
import { findBrokerPids, isBrokerProcess, terminate } from './process';
import { readState, removeState, withLock, type BrokerState } from './state';

export { KafkaToolError, isKafkaToolError, KAFKA_TOOL_ERROR_CODES, type KafkaToolErrorCode } from './errors';
export { pickFreePorts } from './ports';
export type { BrokerState } from './state';
export { startPrivateKafka, startSecureKafka } from './private-broker';
export type { PrivateKafka, PrivateKafkaOptions, ScramMechanismName, SecureKafka } from './private-broker';

export interface KafkaToolOptions {
  /** Where KAFKA_BROKERS, JAVA_HOME and KAFKA_HEAP_OPTS are read from. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: <repo>/.cache/kafka. */
  readonly cacheDir?: string;
  /** Human progress messages. Default: stderr, so stdout stays machine-readable. */
  readonly log?: (message: string) => void;
}

export interface EnsureKafkaOptions extends KafkaToolOptions {
  /** Fixed client port for a new local broker; default: the previous one if free, else any. */
  readonly port?: number;
  /** How long a new broker may take to answer. Default 60 s. */
  readonly startTimeoutMs?: number;
  /** How long an external cluster (KAFKA_BROKERS) may take to answer. Default 5 s. */
  readonly externalTimeoutMs?: number;
}

export interface EnsureKafkaResult {
  /** Bootstrap servers, comma-separated, e.g. `127.0.0.1:40123`. */
  readonly brokers: string;
  /** True only when this call launched the broker: then the caller owns stopping it. */
  readonly started: boolean;
}

/** How long stop() waits for a clean shutdown before SIGKILL. */
const STOP_GRACE_MS = 30_000;

const stderrLog = (message: string): void => {
  process.stderr.write(`[kafka] ${message}\n`);
};

function resolve(options: KafkaToolOptions) {
  const env = options.env ?? process.env;
  return { env, layout: kafkaLayout(options.cacheDir), log: options.log ?? stderrLog };
}

/** KAFKA_BROKERS, treating an empty or blank value as unset. */
function externalBrokers(env: NodeJS.ProcessEnv): string | undefined {
  const value = env['KAFKA_BROKERS']?.trim();
  return value ? value : undefined;
}

/** Resolves the pinned Kafka jars with Maven if the pom changed since the last fetch. */
export async function fetchKafka(options: KafkaToolOptions = {}): Promise<{ kafkaVersion: string; fetched: boolean }> {
  return fetchJars(resolve(options));
}

/** The recorded broker if its process is alive and it answers within `timeoutMs`. */
async function healthyBroker(layout: KafkaLayout, timeoutMs: number): Promise<BrokerState | undefined> {
  const state = readState(layout);
  if (!state || !isBrokerProcess(state.pid, layout)) return undefined;
  try {
    await waitUntilReady({ brokers: state.bootstrap, timeoutMs, giveUp: () => !isBrokerProcess(state.pid, layout) });
    return state;
  } catch {
    return undefined;
  }
}

/**
 * Returns a Kafka to talk to: the external cluster named by KAFKA_BROKERS (checked, never
 * started), else the local broker already running from this checkout, else a new local
 * broker (fetching the jars first if needed).
 *
 * @example
 * const { brokers, started } = await ensureKafka();
 * // ... run tests against `brokers` ...
 * if (started) await stopKafka();
 */
export async function ensureKafka(options: EnsureKafkaOptions = {}): Promise<EnsureKafkaResult> {
  const { env, layout, log } = resolve(options);
  const external = externalBrokers(env);
  if (external) {
    try {
      await waitUntilReady({ brokers: external, timeoutMs: options.externalTimeoutMs ?? 5_000 });
    } catch (err) {
      throw new KafkaToolError(
        'BROKERS_UNREACHABLE',
        `KAFKA_BROKERS=${external} does not answer: ${(err as Error).message}. ` +
          'Start that cluster, or unset KAFKA_BROKERS to use a local broker.',
        { cause: err },
      );
    }
    return { brokers: external, started: false };
  }

  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  // The lock covers a first fetch (~30 s) plus a start.
  return withLock(layout, startTimeoutMs + 180_000, async () => {
    // A broker still booting (started by another process) gets the full start timeout.
    const running = await healthyBroker(layout, startTimeoutMs);
    if (running) {
      log(`reusing Kafka broker pid ${running.pid} at ${running.bootstrap}`);
      return { brokers: running.bootstrap, started: false };
    }
    // Whatever is left (a hung broker, or one whose state file was lost) holds the data dir lock.
    const leftovers = findBrokerPids(layout);
    if (leftovers.length > 0) {
      log(`stopping unresponsive broker process(es) ${leftovers.join(', ')}`);
      await terminate(leftovers, layout, STOP_GRACE_MS);
    }
    removeState(layout);

    // Checked before a possibly long first fetch; checked again just before the broker binds.
    if (options.port !== undefined) await assertPortFree(options.port);
    const java = await checkJava(env);
    const { kafkaVersion } = await fetchJars({ layout, env, log });
    const state = await startBroker({
      layout,
      env,
      java,
      kafkaVersion,
      log,
      port: options.port,
      timeoutMs: startTimeoutMs,
    });
    log(`Kafka ${kafkaVersion} ready at ${state.bootstrap}`);
    return { brokers: state.bootstrap, started: true };
  });
}

/**
 * Stops the local broker of this checkout (SIGTERM, SIGKILL after 30 s) and removes its
 * state file. A no-op when none runs; never touches a KAFKA_BROKERS cluster.
 */
export async function stopKafka(options: KafkaToolOptions = {}): Promise<void> {
  const { layout, log } = resolve(options);
  await withLock(layout, STOP_GRACE_MS + 180_000, async () => {
    const state = readState(layout);
    const pids = new Set(findBrokerPids(layout));
    if (state && isBrokerProcess(state.pid, layout)) pids.add(state.pid);
    if (pids.size === 0) {
      removeState(layout);
      log('no local Kafka broker running');
      return;
    }
    log(`stopping Kafka broker pid ${[...pids].join(', ')}`);
    const left = await terminate([...pids], layout, STOP_GRACE_MS);
    removeState(layout);
    const stray = [...new Set([...left, ...findBrokerPids(layout)])];
    if (stray.length > 0) {
      throw new KafkaToolError('STOP_FAILED', `broker process(es) ${stray.join(', ')} survived SIGKILL`);
    }
    log('stopped');
  });
}

export interface KafkaStatus {
  readonly running: boolean;
  readonly brokers: string | undefined;
  /** True when the answer is about KAFKA_BROKERS rather than a local broker. */
  readonly external: boolean;
  readonly pid: number | undefined;
}

/** Is Kafka answering right now? Checks KAFKA_BROKERS if set, else the local broker. */
export async function kafkaStatus(options: KafkaToolOptions = {}): Promise<KafkaStatus> {
  const { env, layout } = resolve(options);
  const external = externalBrokers(env);
  if (external) {
    const running = await describeCluster(external, 3_000).then(
      () => true,
      () => false,
    );
    return { running, brokers: external, external: true, pid: undefined };
  }
  const state = await healthyBroker(layout, 3_000);
  return { running: state !== undefined, brokers: state?.bootstrap, external: false, pid: state?.pid };
}

export { pinnedKafkaVersion };
