import { Kafka, logLevel } from 'kafkajs';

export interface ClusterInfo {
  readonly clusterId: string;
  readonly brokers: readonly { nodeId: number; host: string; port: number }[];
}

/**
 * One Metadata round trip through kafkajs itself, so "ready" means ready for the client
 * the project uses, not merely "port open". kafkajs' own retries are off: callers loop.
 */
export async function describeCluster(brokers: string, timeoutMs: number): Promise<ClusterInfo> {
  const kafka = new Kafka({
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
}

/** Polls until the cluster answers; resolves with its info or rejects with the last error. */
export async function waitUntilReady({ brokers, timeoutMs, giveUp }: WaitReadyOptions): Promise<ClusterInfo> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = new Error(`no answer from ${brokers} within ${timeoutMs} ms`);
  while (Date.now() < deadline && !giveUp?.()) {
    try {
      return await describeCluster(brokers, Math.min(2_000, Math.max(250, deadline - Date.now())));
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw lastError;
}
