/**
 * Leases, the Kinesis Client Library way: one row per shard in a DynamoDB table; the owner renews it by bumping
 * `leaseCounter`; a lease whose counter has not moved for `leaseDurationMs` (by the observer's own clock, so clock
 * skew between hosts does not matter) is expired and may be taken; a worker below its fair share steals from the
 * most loaded one. Everything here is pure and table-tested; `lease-table.ts` does the I/O.
 */

/** Checkpoint sentinels (KCL's ExtendedSequenceNumber): where to start when no sequence number is stored yet. */
export const CHECKPOINT = { trimHorizon: 'TRIM_HORIZON', latest: 'LATEST', shardEnd: 'SHARD_END' } as const;

export interface Lease {
  /** The shard id. */
  readonly leaseKey: string;
  readonly stream: string;
  readonly leaseOwner: string | null;
  readonly leaseCounter: number;
  /** The last sequence number whose outputs are published, or a `CHECKPOINT` sentinel. */
  readonly checkpoint: string;
  readonly parentShardIds: readonly string[];
  readonly ownerSwitchesSinceCheckpoint: number;
}

/** When this worker last saw a lease's counter move. */
export interface LeaseObservation {
  readonly counter: number;
  /** ms on this worker's clock; -Infinity = expired from the start (an unowned lease). */
  readonly changedAtMs: number;
}

/**
 * Folds a fresh scan into the observations. A lease seen for the first time starts its clock now if someone owns
 * it (its owner may be alive: give it a full lease duration), or counts as expired at once if nobody does.
 */
export function observeLeases(
  leases: readonly Lease[],
  previous: ReadonlyMap<string, LeaseObservation>,
  nowMs: number,
): Map<string, LeaseObservation> {
  const next = new Map<string, LeaseObservation>();
  for (const l of leases) {
    const before = previous.get(l.leaseKey);
    if (before && before.counter === l.leaseCounter) next.set(l.leaseKey, before);
    else if (!before && l.leaseOwner === null)
      next.set(l.leaseKey, { counter: l.leaseCounter, changedAtMs: -Infinity });
    else next.set(l.leaseKey, { counter: l.leaseCounter, changedAtMs: nowMs });
  }
  return next;
}

export const isFinished = (l: Lease) => l.checkpoint === CHECKPOINT.shardEnd;

/**
 * A shard may be processed once it is not finished and every parent it has a lease for is finished: after a
 * reshard, a child's records follow its parents' for the same keys, so reading it early would reorder a ride's events.
 */
export function isReady(l: Lease, byKey: ReadonlyMap<string, Lease>): boolean {
  if (isFinished(l)) return false;
  return l.parentShardIds.every((p) => {
    const parent = byKey.get(p);
    return parent === undefined || isFinished(parent);
  });
}

export interface TakeInput {
  readonly leases: readonly Lease[];
  readonly observations: ReadonlyMap<string, LeaseObservation>;
  readonly workerId: string;
  /** Leases this worker holds and renews right now. */
  readonly held: ReadonlySet<string>;
  readonly nowMs: number;
  readonly leaseDurationMs: number;
  /** At most this many steals per round, so that balancing converges without thrashing. */
  readonly maxStealsAtOnce?: number;
}

export interface TakePlan {
  /** Expired or unowned leases to take (conditional on the counter we saw). */
  readonly take: readonly Lease[];
  /** Live leases to take from the most loaded worker. */
  readonly steal: readonly Lease[];
  /** This worker's fair share: ceil(ready leases / live workers). */
  readonly target: number;
}

/**
 * Which leases to take or steal this round (KCL's LeaseTaker): count the live workers (owners of unexpired
 * leases, plus this one), aim at ceil(leases / workers), take expired leases first, and steal only when none is
 * left, from the most loaded worker and only what it holds above the target (or one, when this worker needs more
 * than one and everybody is at the target, so that a newcomer is never starved).
 */
export function planLeaseTakes(i: TakeInput): TakePlan {
  const byKey = new Map(i.leases.map((l) => [l.leaseKey, l]));
  const ready = i.leases.filter((l) => isReady(l, byKey)).sort((a, b) => a.leaseKey.localeCompare(b.leaseKey));
  const expired = (l: Lease) => {
    const o = i.observations.get(l.leaseKey);
    return o === undefined || i.nowMs - o.changedAtMs > i.leaseDurationMs;
  };
  const available: Lease[] = [];
  const byOwner = new Map<string, Lease[]>();
  let mine = 0;
  for (const l of ready) {
    if (i.held.has(l.leaseKey)) mine++;
    // Ours on the table but not in hand (a restart with the same WORKER_ID): take it back at once.
    else if (l.leaseOwner === null || l.leaseOwner === i.workerId || expired(l)) available.push(l);
    else byOwner.set(l.leaseOwner, [...(byOwner.get(l.leaseOwner) ?? []), l]);
  }
  const workers = byOwner.size + 1;
  const target = Math.ceil(ready.length / workers);
  const needed = target - mine;
  if (needed <= 0) return { take: [], steal: [], target };
  if (available.length > 0) return { take: available.slice(0, needed), steal: [], target };

  let victim: Lease[] = [];
  for (const [, owned] of [...byOwner].sort(([a], [b]) => a.localeCompare(b)))
    if (owned.length > victim.length) victim = owned;
  let count = Math.min(needed, victim.length - target);
  if (count <= 0 && needed > 1 && victim.length >= target) count = 1;
  count = Math.min(count, i.maxStealsAtOnce ?? 1);
  return { take: [], steal: count > 0 ? victim.slice(-count) : [], target };
}

/** When this worker last renewed each lease it holds (ms on its clock). */
export type Renewals = ReadonlyMap<string, number>;

/**
 * Which held leases to keep processing. A lease whose last successful renewal is older than the lease duration
 * may already belong to someone else (DynamoDB was unreachable, the process was paused): stop processing it
 * rather than risk two readers checkpointing one shard.
 */
export function planRenewals(held: Renewals, nowMs: number, leaseDurationMs: number) {
  const renew: string[] = [];
  const drop: string[] = [];
  for (const [key, renewedAt] of held) (nowMs - renewedAt > leaseDurationMs ? drop : renew).push(key);
  return { renew, drop };
}

/**
 * Leases to create for shards that have none. Every shard gets `TRIM_HORIZON` (children must be read from their
 * start, or records are lost) except, for `LATEST` on a fresh table, the open shards start at the tip and the
 * closed ones count as finished.
 */
export function leasesToCreate(
  shards: readonly { shardId: string; parentShardIds: readonly string[]; closed: boolean }[],
  existing: ReadonlySet<string>,
  stream: string,
  initialPosition: 'TRIM_HORIZON' | 'LATEST',
): Lease[] {
  const fresh = existing.size === 0;
  return shards
    .filter((s) => !existing.has(s.shardId))
    .map((s) => ({
      leaseKey: s.shardId,
      stream,
      leaseOwner: null,
      leaseCounter: 0,
      checkpoint:
        fresh && initialPosition === 'LATEST'
          ? s.closed
            ? CHECKPOINT.shardEnd
            : CHECKPOINT.latest
          : CHECKPOINT.trimHorizon,
      parentShardIds: s.parentShardIds,
      ownerSwitchesSinceCheckpoint: 0,
    }));
}
