/**
 * Issue 7, security: SCRAM over TLS against a real broker. A private Kafka 4.4 broker (tools/kafka
 * `startSecureKafka`, its own temp dir and ports; the shared broker is not touched) whose client listener is SASL_SSL
 * with a self-signed certificate and one SCRAM user. Clients are configured only the way apps are: KAFKA_* variables
 * -> `loadEnvConfig(kafkaEnvSchema)` -> `kafkaConnectionFromEnv` -> `createKafka`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classifyKafkaError,
  createKafka,
  KAFKA_CLIENTS,
  kafkaConnectionFromEnv,
  kafkaEnvSchema,
} from '@ridestream/kafka';
import { startSecureKafka, type SecureKafka } from '@ridestream/kafka-tool';
import { isRetriable, loadEnvConfig, type Env, type Logger } from '@ridestream/runtime';
import { collect, freshTopics, unique, waitFor } from '@ridestream/testing';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countByRide, modelPath, predictionsOf, produceAll, realRides } from './helpers';
import { startConsumerProcess, type ConsumerProcess } from './support/consumer-process';
import { captureLogs } from './support/log-capture';

let dir: string;
let broker: SecureKafka;
const cleanups: (() => unknown)[] = [];
const processes: ConsumerProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  broker = await startSecureKafka({ cacheDir: join(dir, 'kafka'), log: () => {} });
}, 180_000);

afterEach(async () => {
  for (const p of processes.splice(0)) p.kill();
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  // The broker runs detached: stop it even when a test failed (and startSecureKafka also kills it at process exit).
  try {
    await broker?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

/** The KAFKA_* variables an operator would set for this broker; `undefined` removes one. */
function secureEnv(overrides: Env = {}): Record<string, string> {
  const env: Env = {
    KAFKA_BROKERS: broker.brokers,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: broker.caFile,
    KAFKA_SASL_MECHANISM: broker.mechanism,
    KAFKA_SASL_USERNAME: broker.username,
    KAFKA_SASL_PASSWORD: broker.password,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A kafkajs client built from the environment exactly as the apps build theirs. */
function clientFromEnv(env: Record<string, string>, logger: Logger): Kafka {
  return createKafka(kafkaConnectionFromEnv(loadEnvConfig(kafkaEnvSchema, env), unique('security-test')), logger);
}

/**
 * What connecting and listing topics rejected with, and how long it took. A request, not only `connect()`: kafkajs'
 * connect sends only ApiVersions, which a SASL listener answers before authentication.
 */
async function requestFailure(kafka: Kafka): Promise<{ error: Error; ms: number }> {
  const admin = kafka.admin();
  const began = Date.now();
  const error = await admin
    .connect()
    .then(() => admin.listTopics())
    .then(
      (topics) => new Error(`unexpectedly allowed to list ${topics.length} topics`),
      (err: unknown) => err as Error,
    );
  const ms = Date.now() - began;
  await admin.disconnect();
  return { error, ms };
}

/** The messages of an error and of its causes, innermost last. */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    parts.push(`${(e as Error).name}: ${e.message}`);
  }
  return parts.join(' <- ');
}

describe('SCRAM over TLS on a private SASL_SSL broker', () => {
  it.each(KAFKA_CLIENTS)('scores rides end to end on %s, without logging the password', async (client) => {
    const logs = captureLogs('security-test');
    // The test's own clients use SCRAM-SHA-512 and the consumer SCRAM-SHA-256: both mechanisms carry real traffic.
    const kafka = clientFromEnv(secureEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-512' }), logs.logger);
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq']);
    const rides = await realRides(500);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    await produceAll(
      producer,
      input,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
    const out = await collect(kafka, output);
    cleanups.push(() => out.stop());

    const app = startConsumerProcess('duration', {
      ...secureEnv(),
      INPUT_TOPIC: input,
      OUTPUT_TOPIC: output,
      DEAD_LETTER_TOPIC: dlq,
      CONSUMER_GROUP: unique('duration-consumer'),
      MODEL_PATH: modelPath('duration'),
      KAFKA_CLIENT: client,
      // Debug: the most the app ever logs is what must hold no secret.
      LOG_LEVEL: 'debug',
    });
    processes.push(app);
    await waitFor(
      () => out.messages.length >= rides.length || app.child.exitCode !== null,
      'a prediction for every ride over SASL_SSL',
      90_000,
    );
    expect(app.child.exitCode, app.output()).toBeNull();
    const counts = countByRide(predictionsOf(out.messages, 'duration'));
    expect(rides.filter((r) => counts.get(r.rideId) !== 1)).toEqual([]);
    expect(await app.stop()).toBe(0);

    const appLog = app.output();
    expect(appLog).toContain('"msg":"consuming"');
    expect(appLog).toContain('"msg":"stopped"');
    expect(appLog).not.toContain(broker.password);
    expect(logs.text()).not.toContain(broker.password);
  });

  it('refuses a wrong password at once, with a non-retriable authentication error that names no password', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const logs = captureLogs('security-test');
    const { error, ms } = await requestFailure(clientFromEnv(secureEnv({ KAFKA_SASL_PASSWORD: wrong }), logs.logger));

    expect(error.name).toBe('KafkaJSSASLAuthenticationError');
    expect(error.message).toMatch(/invalid credentials with SASL mechanism SCRAM-SHA-256/);
    expect(isRetriable(error, classifyKafkaError)).toBe(false);
    // Not retried: kafkajs' budget (5 retries, >= 6 s of backoff) would have shown here.
    expect(ms).toBeLessThan(5_000);
    console.info(`wrong SCRAM password refused in ${ms} ms`);

    // The app itself: startup fails, exit code 1, and the log says why.
    const app = startConsumerProcess('duration', {
      ...secureEnv({ KAFKA_SASL_PASSWORD: wrong }),
      INPUT_TOPIC: unique('rides'),
      CONSUMER_GROUP: unique('duration-consumer'),
      MODEL_PATH: modelPath('duration'),
      LOG_LEVEL: 'debug',
    });
    processes.push(app);
    expect(await app.exited).toBe(1);
    const appLog = app.output();
    expect(appLog).toMatch(/SASL SCRAM SHA256 authentication failed/);
    for (const secret of [wrong, broker.password]) {
      expect(appLog).not.toContain(secret);
      expect(logs.text()).not.toContain(secret);
    }
    expect(error.message).not.toContain(wrong);
  });

  it('refuses a wrong password on @platformatic/kafka too: the app exits 1 naming the failed login', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const app = startConsumerProcess('duration', {
      ...secureEnv({ KAFKA_SASL_PASSWORD: wrong }),
      INPUT_TOPIC: unique('rides'),
      CONSUMER_GROUP: unique('duration-consumer'),
      MODEL_PATH: modelPath('duration'),
      KAFKA_CLIENT: 'platformatic',
      LOG_LEVEL: 'debug',
    });
    processes.push(app);
    expect(await app.exited).toBe(1);
    const appLog = app.output();
    expect(appLog).toMatch(/BROKERS_UNREACHABLE/);
    expect(appLog).toMatch(/SASL|[Aa]uthentication/);
    for (const secret of [wrong, broker.password]) expect(appLog).not.toContain(secret);
  });

  it.concurrent.each([
    ['plaintext to the SASL_SSL port', { KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: undefined }, /Closed connection/],
    [
      'TLS that trusts only the system CAs, not the self-signed certificate',
      { KAFKA_SSL_CA_FILE: undefined },
      /self-signed certificate/,
    ],
    [
      'TLS without SASL credentials',
      { KAFKA_SASL_MECHANISM: undefined, KAFKA_SASL_USERNAME: undefined, KAFKA_SASL_PASSWORD: undefined },
      /Closed connection/,
    ],
  ] as const)('fails to connect with %s', async (_, overrides, reason) => {
    const logs = captureLogs('security-test');
    const { error } = await requestFailure(clientFromEnv(secureEnv(overrides), logs.logger));
    expect(causeChain(error)).toMatch(reason);
    expect(logs.text()).not.toContain(broker.password);
  });
});
