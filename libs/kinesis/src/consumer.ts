import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { PipelineOptions } from '@ridestream/stream-core';
import { backoffMs, isRetriable, type RetrySettings } from '@ridestream/runtime';
import { encodeForKinesis } from './dead-letter';
import { classifyAwsError, KinesisTransportError } from './errors';
import {
  leasesToCreate,
  observeLeases,
  planLeaseTakes,
  planRenewals,
  type Lease,
  type LeaseObservation,
} from './lease';
import type { LeaseTable } from './lease-table';
import type { KinesisMetrics } from './metrics';
import type { KinesisPublisher } from './publisher';
import { pause, readShard } from './shard-reader';
import { listAllShards } from './streams';

export interface KinesisConsumerOptions extends Omit<PipelineOptions, 'publish' | 'signal'> {
  readonly kinesis: KinesisClient;
  readonly leases: LeaseTable;
  readonly publisher: KinesisPublisher;
  readonly inputStream: string;
  /** Unique per instance; `hostname:pid:random` by default. */
  readonly workerId?: string;
  readonly leaseDurationMs: number;
  readonly shardSyncMs: number;
  readonly idlePollMs: number;
  readonly maxRecordsPerGet: number;
  /** Records per model call. */
  readonly chunkSize: number;
  readonly initialPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly kinesisMetrics?: KinesisMetrics;
  /** Each shard reader's backoff and bound (`readShard`'s `retry`). */
  readonly readRetry: RetrySettings;
  /** Failed lease rounds in a row: the backoff between them, and past `retries` the consumer fails. */
  readonly leaseRetry: RetrySettings;
}

export interface KinesisConsumer {
  readonly workerId: string;
  /** Shards this instance reads now. */
  heldShards(): string[];
  /** Rejects when the consumer fails in a way no retry fixes (the process must exit non-zero). */
  readonly finished: Promise<void>;
  /** Stops taking shards, lets each reader finish and checkpoint its chunk, then releases the leases. Memoised. */
  stop(): Promise<void>;
  /**
   * Stops at once without checkpointing or releasing anything, as a crashed process would (for failover tests):
   * other instances take the leases once they expire.
   */
  halt(): Promise<void>;
}

interface Held {
  lease: Lease;
  renewedAtMs: number;
  active: boolean;
  done?: Promise<void>;
}

/**
 * The long-running Kinesis consumer: shares the stream's shards with the other instances of the same application
 * through the lease table (KCL-style), reads each held shard with `readShard`, and keeps the leases renewed.
 * Shard sync (ListShards) creates leases for new shards, so children of a reshard are picked up once their parents
 * are finished. At-least-once: a checkpoint follows the publish of what it covers.
 *
 * @example
 * const consumer = await runKinesisConsumer({ kinesis, leases, publisher, scorer, inputStream: 'rides', ... });
 * // ... on SIGTERM:
 * await consumer.stop();
 */
export async function runKinesisConsumer(o: KinesisConsumerOptions): Promise<KinesisConsumer> {
  const workerId = o.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = o.logger.child({ component: 'kinesis-consumer', workerId });
  const abort = new AbortController();
  const pipeline: PipelineOptions = {
    ...o,
    logger: log,
    signal: abort.signal,
    publish: (messages) => o.publisher.send(encodeForKinesis(messages, o.deadLetterStream)),
  };
  const held = new Map<string, Held>();
  let observations = new Map<string, LeaseObservation>();
  let lastSyncMs = -Infinity;
  let halted = false;
  let fail: (err: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    fail = reject;
    abort.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  finished.catch(() => {});
  const fatal = (err: unknown) => {
    log.error({ err }, 'kinesis consumer failed');
    fail(err);
  };
  const setHeldGauge = () => o.kinesisMetrics?.leasesHeld.set(held.size);
  let wake: () => void = () => {};

  const startReader = (lease: Lease) => {
    const h: Held = { lease, renewedAtMs: Date.now(), active: true };
    held.set(lease.leaseKey, h);
    setHeldGauge();
    log.info({ shardId: lease.leaseKey, checkpoint: lease.checkpoint }, 'reading shard');
    h.done = readShard({
      client: o.kinesis,
      stream: o.inputStream,
      shardId: lease.leaseKey,
      checkpoint: lease.checkpoint,
      pipeline,
      chunkSize: o.chunkSize,
      maxRecordsPerGet: o.maxRecordsPerGet,
      idlePollMs: o.idlePollMs,
      retry: o.readRetry,
      logger: log,
      isActive: () => h.active && !abort.signal.aborted,
      saveCheckpoint: async (cp) => !halted && (await o.leases.checkpoint(lease.leaseKey, workerId, cp)),
      onMillisBehind: (ms) => o.kinesisMetrics?.millisBehindLatest.set({ shard: lease.leaseKey }, ms),
      onThrottled: () => o.kinesisMetrics?.throttled.inc({ operation: 'GetRecords' }),
    }).then(
      (end) => {
        if (end === 'lease-lost' && !halted) o.kinesisMetrics?.leasesLost.inc();
        if (end !== 'stopped') log.info({ shardId: lease.leaseKey, end }, 'stopped reading shard');
        // Kept only when stop() ended it, so that stop() releases it; a lost or finished lease is no longer ours.
        if (end !== 'stopped' || !abort.signal.aborted) held.delete(lease.leaseKey);
        setHeldGauge();
        if (end === 'shard-end') wake();
      },
      (err: unknown) => {
        held.delete(lease.leaseKey);
        fatal(err);
      },
    );
  };

  const syncShards = async (leases: Lease[]): Promise<Lease[]> => {
    const shards = await listAllShards(o.kinesis, o.inputStream);
    const fresh = leasesToCreate(
      shards.map((s) => ({
        shardId: s.ShardId!,
        parentShardIds: [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => !!p),
        closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
      })),
      new Set(leases.map((l) => l.leaseKey)),
      o.inputStream,
      o.initialPosition,
    );
    for (const l of fresh) await o.leases.create(l);
    if (fresh.length > 0) log.info({ shards: fresh.map((l) => l.leaseKey) }, 'created leases for new shards');
    return fresh.length > 0 ? o.leases.scan() : leases;
  };

  const takeLeases = async () => {
    let leases = await o.leases.scan();
    if (Date.now() - lastSyncMs >= o.shardSyncMs || leases.length === 0) {
      leases = await syncShards(leases);
      lastSyncMs = Date.now();
    }
    const nowMs = Date.now();
    observations = observeLeases(leases, observations, nowMs);
    const plan = planLeaseTakes({
      leases,
      observations,
      workerId,
      held: new Set(held.keys()),
      nowMs,
      leaseDurationMs: o.leaseDurationMs,
    });
    for (const [kind, list] of [
      ['take', plan.take],
      ['steal', plan.steal],
    ] as const) {
      for (const seen of list) {
        if (abort.signal.aborted) return;
        const taken = await o.leases.take(seen, workerId);
        if (!taken) continue;
        o.kinesisMetrics?.leaseTakes.inc({ kind });
        log.info({ shardId: seen.leaseKey, from: seen.leaseOwner, kind }, 'lease taken');
        startReader(taken);
      }
    }
  };

  const renewLeases = async () => {
    const { renew, drop } = planRenewals(
      new Map([...held].filter(([, h]) => h.active).map(([k, h]) => [k, h.renewedAtMs])),
      Date.now(),
      o.leaseDurationMs,
    );
    for (const key of drop) {
      log.warn({ shardId: key }, 'lease not renewed within its duration; stopping the shard');
      held.get(key)!.active = false;
    }
    for (const key of renew) {
      const h = held.get(key);
      if (!h) continue;
      const counter = await o.leases.renew(key, workerId);
      if (counter === null) {
        log.warn({ shardId: key }, 'lease lost to another worker; stopping the shard');
        h.active = false;
      } else h.renewedAtMs = Date.now();
    }
  };

  // Two loops, each awaiting its own round, so rounds never overlap. Retriable failures (DynamoDB or Kinesis
  // briefly unreachable) are logged and retried after a backoff, at most `leaseRetry.retries` rounds in a row;
  // anything else, or one failure too many, stops the consumer.
  const loop = async (name: string, everyMs: number, round: () => Promise<void>, wakeable: boolean) => {
    let failures = 0;
    while (!abort.signal.aborted) {
      let delayMs = everyMs;
      try {
        await round();
        failures = 0;
      } catch (err) {
        if (!isRetriable(err, classifyAwsError)) return fatal(err);
        if (++failures > o.leaseRetry.retries) {
          return fatal(
            new KinesisTransportError(
              'LEASE_RETRIES_EXHAUSTED',
              `stream ${o.inputStream}: the lease ${name} round failed ${failures} times in a row`,
              { cause: err, retriable: false, context: { stream: o.inputStream } },
            ),
          );
        }
        delayMs = backoffMs(failures, o.leaseRetry);
        log.warn({ err, round: name, attempt: failures, delayMs }, 'lease round failed; retrying');
      }
      const sleeper = new AbortController();
      if (wakeable) wake = () => sleeper.abort();
      await pause(delayMs, AbortSignal.any([abort.signal, sleeper.signal]));
    }
  };
  const loops = [
    loop('take', Math.max(200, Math.floor(o.leaseDurationMs / 2)), takeLeases, true),
    loop('renew', Math.max(100, Math.floor(o.leaseDurationMs / 3)), renewLeases, false),
  ];

  const shutdown = async (release: boolean) => {
    abort.abort();
    await Promise.allSettled(loops);
    await Promise.allSettled([...held.values()].map((h) => h.done));
    if (release) {
      for (const [key] of held) {
        try {
          await o.leases.release(key, workerId);
        } catch (err) {
          log.warn({ err, shardId: key }, 'lease release failed; it will expire instead');
        }
      }
    }
    held.clear();
    setHeldGauge();
  };

  // One ending: a stop() after halt() (a test's cleanup) must not release the leases the "crash" left behind.
  let ending: Promise<void> | undefined;
  return {
    workerId,
    finished,
    heldShards: () => [...held.keys()].sort(),
    stop: () => (ending ??= shutdown(true)),
    halt: () => {
      halted = true;
      return (ending ??= shutdown(false));
    },
  };
}
