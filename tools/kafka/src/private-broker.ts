/**
 * Private brokers: one test's own Kafka, beside the shared broker of `ensureKafka()`, for what must not touch the
 * shared one (stopping it for an outage test) or needs another configuration (SCRAM over TLS). Own cache dir, data,
 * logs, ports and state; the jars are the ones the shared broker already fetched.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startBroker, type SaslSslOptions } from './broker';
import { SCRAM_MECHANISMS, type BrokerPorts } from './broker-config';
import { KafkaToolError } from './errors';
import { fetchKafka, isFetched, pinnedKafkaVersion } from './fetch';
import { checkJava } from './java';
import { DEFAULT_CACHE_DIR, kafkaLayout, type KafkaLayout } from './paths';
import { pickListenPorts } from './ports';
import { findBrokerPids, terminate } from './process';
import { removeState, withLock } from './state';
import { ensureSelfSignedKeystore } from './tls';

export interface PrivateKafkaOptions {
  /** This broker's own directory (data, logs, config, keystore): a test's temp dir. Never the shared `.cache/kafka`. */
  readonly cacheDir: string;
  /** The jars. Default: the shared broker's `.cache/kafka/lib` (fetched first if it is not there yet). */
  readonly libDir?: string;
  /** JAVA_HOME and KAFKA_HEAP_OPTS are read from here (KAFKA_BROKERS is not: a private broker is always local). */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress messages. Default: stderr. */
  readonly log?: (message: string) => void;
  /** Heap flags when KAFKA_HEAP_OPTS is unset. Default `-Xms256m -Xmx384m`: a test broker holds little. */
  readonly heap?: readonly string[];
  /** How long a start may take. Default 90 s: on 2 busy cores a start competes with the tests around it. */
  readonly startTimeoutMs?: number;
  /** How long `stop()` waits for a clean shutdown before SIGKILL. Default 30 s. */
  readonly stopGraceMs?: number;
}

export interface PrivateKafka {
  /** Bootstrap address, e.g. `127.0.0.1:40123`; the same after a `stop()` + `start()`. */
  readonly brokers: string;
  readonly cacheDir: string;
  /** The broker process, while it runs. */
  pid(): number | undefined;
  /**
   * SIGTERM (a clean shutdown, as an orchestrator would), SIGKILL after the grace. The data dir stays, so `start()`
   * brings the same broker back with its topics, committed offsets and users. A second call is a no-op.
   */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data dir after `stop()`; a no-op while it runs. */
  start(): Promise<void>;
}

export type ScramMechanismName = 'scram-sha-256' | 'scram-sha-512';

export interface SecureKafka extends PrivateKafka {
  /** The broker's self-signed certificate (PEM): the one thing clients must trust. */
  readonly caPem: string;
  /** Where `caPem` is, for `KAFKA_SSL_CA_FILE`. */
  readonly caFile: string;
  readonly username: string;
  readonly password: string;
  /** The mechanism to use by default; both SCRAM mechanisms are enabled on the listener. */
  readonly mechanism: ScramMechanismName;
  readonly mechanisms: readonly ScramMechanismName[];
}

const DEFAULT_PRIVATE_HEAP = ['-Xms256m', '-Xmx384m'];

const stderrLog = (message: string): void => {
  process.stderr.write(`[kafka:private] ${message}\n`);
};

interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly keystorePassword: string;
}

/** Generated once per cache dir and kept there (0600), so a later start finds the users it formatted. */
function credentials(cacheDir: string): Credentials {
  const file = join(cacheDir, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const made: Credentials = {
    username: 'ridestream-test',
    password: randomBytes(18).toString('base64url'),
    keystorePassword: randomBytes(18).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(made)}\n`, { mode: 0o600 });
  return made;
}

/** The shared jars, fetched under the shared lock if they are missing (a fresh clone running one test file). */
async function ensureJars(layout: KafkaLayout, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<string> {
  if (isFetched(layout)) return pinnedKafkaVersion();
  const owner = kafkaLayout(dirname(layout.libDir), { libDir: layout.libDir });
  return withLock(owner, 240_000, async () => (await fetchKafka({ layout: owner, env, log })).kafkaVersion);
}

interface PrivateStart {
  readonly layout: KafkaLayout;
  readonly ports: BrokerPorts;
  readonly saslSsl?: SaslSslOptions;
}

function privateLayout(options: PrivateKafkaOptions): KafkaLayout {
  const cacheDir = resolve(options.cacheDir);
  if (cacheDir === resolve(DEFAULT_CACHE_DIR)) {
    throw new KafkaToolError('INVALID_OPTIONS', `${cacheDir} is the shared broker's directory; give a private one`);
  }
  mkdirSync(cacheDir, { recursive: true });
  return kafkaLayout(cacheDir, { libDir: options.libDir ?? kafkaLayout().libDir });
}

async function launch(options: PrivateKafkaOptions, plan: PrivateStart): Promise<PrivateKafka> {
  const env = { ...(options.env ?? process.env) };
  const log = options.log ?? stderrLog;
  const { layout, ports, saslSsl } = plan;
  const stopGraceMs = options.stopGraceMs ?? 30_000;
  let pid: number | undefined;
  // The broker is spawned detached (it outlives the CLI that starts a shared one); a private one should not outlive
  // its test process. A last resort behind the caller's stop(): it runs on a normal exit or process.exit(), not when
  // this process is itself killed by a signal (a library must not take over SIGTERM handling).
  const killOnExit = () => {
    for (const p of findBrokerPids(layout)) {
      try {
        process.kill(-p, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };

  const start = async () => {
    if (pid !== undefined) return;
    const java = await checkJava(env);
    const kafkaVersion = await ensureJars(layout, env, log);
    process.on('exit', killOnExit);
    try {
      const state = await withLock(layout, 10_000, () =>
        startBroker({
          layout,
          env,
          java,
          kafkaVersion,
          log,
          port: undefined,
          ports,
          saslSsl,
          heap: options.heap ?? DEFAULT_PRIVATE_HEAP,
          writeClassArchive: false,
          timeoutMs: options.startTimeoutMs ?? 90_000,
        }),
      );
      pid = state.pid;
    } catch (err) {
      process.off('exit', killOnExit);
      throw err;
    }
  };

  const stop = async () => {
    if (pid === undefined) return;
    await withLock(layout, stopGraceMs + 30_000, async () => {
      const pids = [...new Set([pid!, ...findBrokerPids(layout)])];
      log(`stopping private Kafka broker pid ${pids.join(', ')}`);
      const left = await terminate(pids, layout, stopGraceMs);
      removeState(layout);
      if (left.length > 0)
        throw new KafkaToolError('STOP_FAILED', `broker process(es) ${left.join(', ')} survived SIGKILL`);
    });
    pid = undefined;
    process.off('exit', killOnExit);
  };

  await start();
  return { brokers: `127.0.0.1:${ports.port}`, cacheDir: layout.cacheDir, pid: () => pid, start, stop };
}

/**
 * A single-node PLAINTEXT broker of its own, e.g. to stop and restart under a running consumer.
 *
 * @example
 * const kafka = await startPrivateKafka({ cacheDir: mkdtempSync(join(tmpdir(), 'kafka-')) });
 * try { ... await kafka.stop(); ... await kafka.start(); ... } finally { await kafka.stop(); }
 */
export async function startPrivateKafka(options: PrivateKafkaOptions): Promise<PrivateKafka> {
  const layout = privateLayout(options);
  const [port, controllerPort] = await pickListenPorts(2);
  return launch(options, { layout, ports: { port: port!, controllerPort: controllerPort! } });
}

/**
 * A single-node broker whose client listener is SASL_SSL: TLS with a self-signed certificate made by the JDK's
 * keytool at first start, and SCRAM-SHA-256 / SCRAM-SHA-512 for one user written into the metadata at format time.
 * The broker's inter-broker and controller listeners stay PLAINTEXT on loopback.
 *
 * @example
 * const kafka = await startSecureKafka({ cacheDir });
 * loadEnvConfig(kafkaEnvSchema, { KAFKA_BROKERS: kafka.brokers, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: kafka.caFile,
 *   KAFKA_SASL_MECHANISM: kafka.mechanism, KAFKA_SASL_USERNAME: kafka.username, KAFKA_SASL_PASSWORD: kafka.password });
 */
export async function startSecureKafka(options: PrivateKafkaOptions): Promise<SecureKafka> {
  const layout = privateLayout(options);
  const env = options.env ?? process.env;
  const { username, password, keystorePassword } = credentials(layout.cacheDir);
  const keystoreFile = join(layout.cacheDir, 'tls', 'broker.p12');
  const caFile = join(layout.cacheDir, 'tls', 'broker-cert.pem');
  await ensureSelfSignedKeystore(env, { keystoreFile, certFile: caFile, password: keystorePassword });
  const caPem = readFileSync(caFile, 'utf8');
  const [port, controllerPort, internalPort] = await pickListenPorts(3);
  const mechanism: ScramMechanismName = 'scram-sha-256';
  const broker = await launch(options, {
    layout,
    ports: { port: port!, controllerPort: controllerPort! },
    saslSsl: {
      listener: { internalPort: internalPort!, keystoreFile, keystorePassword, mechanisms: SCRAM_MECHANISMS },
      user: { username, password },
      client: { caPem, sasl: { mechanism, username, password } },
    },
  });
  return {
    ...broker,
    caPem,
    caFile,
    username,
    password,
    mechanism,
    mechanisms: ['scram-sha-256', 'scram-sha-512'],
  };
}
