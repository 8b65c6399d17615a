import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';

/** How a probe authenticates, for a SASL_SSL listener; a PLAINTEXT listener needs none. */
export interface ProbeSecurity {
  /** PEM of the CA (or self-signed certificate) to trust. */
  readonly caPem: string;
  readonly sasl: { mechanism: 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

function securityConfig(security: ProbeSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  // The union of per-mechanism option types does not distribute over a mechanism union; the values are the same.
  return security ? { ssl: { ca: [security.caPem] }, sasl: { ...security.sasl } as SASLOptions } : {};
}

export interface ClusterInfo {
  readonly clusterId: string;
  readonly brokers: readonly { nodeId: number; host: string; port: number }[];
}

/**
 * One Metadata round trip through kafkajs itself, so "ready" means ready for the client
 * the project uses, not merely "port open". kafkajs' own retries are off: callers loop.
 */
export async function describeCluster(
  brokers: string,
  timeoutMs: number,
  security?: ProbeSecurity,
): Promise<ClusterInfo> {
  const kafka = new Kafka({
    ...securityConfig(security),
    clientId: 'ridestream-kafka-probe',
    brokers: brokers.split(',').map((broker) => broker.trim()),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING, // refused connections while the broker boots are expected
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { clusterId, brokers: nodes } = await admin.describeCluster();
    return { clusterId, brokers: nodes };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface WaitReadyOptions {
  readonly brokers: string;
  readonly timeoutMs: number;
  /** Stops waiting early, e.g. when the broker process has already died. */
  readonly giveUp?: () => boolean;
  readonly security?: ProbeSecurity;
}

/** Polls until the cluster answers; resolves with its info or rejects with the last error. */
export async function waitUntilReady({ brokers, timeoutMs, giveUp, security }: WaitReadyOptions): Promise<ClusterInfo> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = new Error(`no answer from ${brokers} within ${timeoutMs} ms`);
  while (Date.now() < deadline && !giveUp?.()) {
    try {
      return await describeCluster(brokers, Math.min(2_000, Math.max(250, deadline - Date.now())), security);
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw lastError;
}

/**
 * Makes the broker create and load its group and transaction coordinators now (the
 * __consumer_offsets and __transaction_state topics), instead of during the first test.
 * Left to a test, kafkajs meets "coordinator not available / loading" and backs off
 * exponentially with its default retry (300 ms doubling), ~10 s on a fresh broker; here
 * a short flat retry gets through in about a second.
 */
export async function warmUpCoordinators(brokers: string): Promise<void> {
  const kafka = new Kafka({
    clientId: 'ridestream-kafka-warmup',
    brokers: brokers.split(',').map((broker) => broker.trim()),
    retry: { initialRetryTime: 200, maxRetryTime: 500, factor: 0, multiplier: 1, retries: 60 }, // <= ~30 s
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  // A fixed transactional id: the coordinator keeps one entry for it, not one per start.
  const producer = kafka.producer({
    transactionalId: 'ridestream-kafka-warmup',
    maxInFlightRequests: 1,
    idempotent: true,
  });
  try {
    await admin.connect();
    await admin.describeGroups(['ridestream-kafka-warmup']); // FindCoordinator(group)
    await producer.connect();
    // kafkajs sends FindCoordinator(transaction) + InitProducerId on the first transaction(),
    // not on connect(); aborting an empty transaction sends nothing more.
    await (await producer.transaction()).abort();
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
