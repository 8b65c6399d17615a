import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT,
  isReady,
  leasesToCreate,
  observeLeases,
  planLeaseTakes,
  planRenewals,
  type Lease,
  type LeaseObservation,
} from '../src/lease';

const lease = (key: string, owner: string | null, extra: Partial<Lease> = {}): Lease => ({
  leaseKey: key,
  stream: 's',
  leaseOwner: owner,
  leaseCounter: 1,
  checkpoint: CHECKPOINT.trimHorizon,
  parentShardIds: [],
  ownerSwitchesSinceCheckpoint: 0,
  ...extra,
});
const NOW = 100_000;
const DURATION = 10_000;
/** Every lease observed as renewed just now (live), except the keys listed as stale. */
const observed = (leases: Lease[], stale: string[] = []): Map<string, LeaseObservation> =>
  new Map(
    leases.map((l) => [l.leaseKey, { counter: l.leaseCounter, changedAtMs: stale.includes(l.leaseKey) ? 0 : NOW }]),
  );
const keys = (ls: readonly Lease[]) => ls.map((l) => l.leaseKey);

describe('planLeaseTakes', () => {
  const a4 = ['s0', 's1', 's2', 's3'].map((k) => lease(k, 'A'));
  it.each([
    {
      name: 'returns every unowned lease to a lone worker',
      leases: ['s0', 's1', 's2'].map((k) => lease(k, null)),
      held: [],
      stale: [],
      take: ['s0', 's1', 's2'],
      steal: [],
      target: 3,
    },
    {
      name: 'returns nothing when this worker already holds its share',
      leases: [lease('s0', 'me'), lease('s1', 'B')],
      held: ['s0'],
      stale: [],
      take: [],
      steal: [],
      target: 1,
    },
    {
      name: 'takes the expired leases of a dead worker',
      leases: [lease('s0', 'me'), lease('s1', 'dead'), lease('s2', 'dead')],
      held: ['s0'],
      stale: ['s1', 's2'],
      take: ['s1', 's2'],
      steal: [],
      target: 3,
    },
    {
      name: 'steals one lease at a time from the most loaded worker, down to the target',
      leases: a4,
      held: [],
      stale: [],
      take: [],
      steal: ['s3'],
      target: 2,
    },
    {
      name: 'does not steal when the most loaded worker is at the target and one lease is missing',
      leases: [lease('s0', 'A'), lease('s1', 'A'), lease('s2', 'B'), lease('s3', 'B'), lease('s4', 'me')],
      held: ['s4'],
      stale: [],
      take: [],
      steal: [],
      target: 2,
    },
    {
      name: 'steals one when it needs more than one and everybody is at the target (no starvation)',
      leases: [lease('s0', 'A'), lease('s1', 'A'), lease('s2', 'B'), lease('s3', 'B')],
      held: [],
      stale: [],
      take: [],
      steal: ['s1'],
      target: 2,
    },
    {
      name: 'takes expired leases before stealing live ones',
      leases: [...a4, lease('s4', 'dead')],
      held: [],
      stale: ['s4'],
      take: ['s4'],
      steal: [],
      target: 3,
    },
    {
      name: 'takes back a lease the table says is ours but that is not in hand (restart with the same id)',
      leases: [lease('s0', 'me'), lease('s1', 'B')],
      held: [],
      stale: [],
      take: ['s0'],
      steal: [],
      target: 1,
    },
    {
      name: 'ignores finished shards and children whose parents are not finished',
      leases: [
        lease('p', 'A', { checkpoint: '123' }),
        lease('c1', null, { parentShardIds: ['p'] }),
        lease('done', null, { checkpoint: CHECKPOINT.shardEnd }),
      ],
      held: [],
      stale: [],
      take: [],
      steal: [],
      target: 1,
    },
  ])('$name', ({ leases, held, stale, take, steal, target }) => {
    const plan = planLeaseTakes({
      leases,
      observations: observed(leases, stale),
      workerId: 'me',
      held: new Set(held),
      nowMs: NOW,
      leaseDurationMs: DURATION,
    });
    expect({ take: keys(plan.take), steal: keys(plan.steal), target: plan.target }).toEqual({ take, steal, target });
  });

  it('returns the children of a finished parent as takeable', () => {
    const leases = [
      lease('p', 'A', { checkpoint: CHECKPOINT.shardEnd }),
      lease('c1', null, { parentShardIds: ['p'] }),
      lease('c2', null, { parentShardIds: ['p'] }),
    ];
    const plan = planLeaseTakes({
      leases,
      observations: observed(leases),
      workerId: 'me',
      held: new Set(),
      nowMs: NOW,
      leaseDurationMs: DURATION,
    });
    expect(keys(plan.take)).toEqual(['c1', 'c2']);
  });
});

describe('observeLeases', () => {
  it('starts the clock of an owned lease seen for the first time, and expires an unowned one at once', () => {
    const obs = observeLeases([lease('a', 'X'), lease('b', null)], new Map(), NOW);
    expect(obs.get('a')).toEqual({ counter: 1, changedAtMs: NOW });
    expect(obs.get('b')!.changedAtMs).toBe(-Infinity);
  });

  it('keeps the time of the last change while the counter stands still, and resets it when it moves', () => {
    const first = observeLeases([lease('a', 'X')], new Map(), 1_000);
    const still = observeLeases([lease('a', 'X')], first, 5_000);
    const moved = observeLeases([lease('a', 'X', { leaseCounter: 2 })], still, 9_000);
    expect(still.get('a')!.changedAtMs).toBe(1_000);
    expect(moved.get('a')!.changedAtMs).toBe(9_000);
  });
});

describe('planRenewals', () => {
  it('renews fresh leases and drops those not renewed within the lease duration', () => {
    const held = new Map([
      ['fresh', NOW - 1_000],
      ['stale', NOW - DURATION - 1],
    ]);
    expect(planRenewals(held, NOW, DURATION)).toEqual({ renew: ['fresh'], drop: ['stale'] });
  });
});

describe('isReady', () => {
  it('returns true for a child whose parents are finished or unknown (trimmed)', () => {
    const parent = lease('p', null, { checkpoint: CHECKPOINT.shardEnd });
    const child = lease('c', null, { parentShardIds: ['p', 'gone'] });
    expect(isReady(child, new Map([['p', parent]]))).toBe(true);
    expect(isReady(child, new Map([['p', { ...parent, checkpoint: '42' }]]))).toBe(false);
  });
});

describe('leasesToCreate', () => {
  const shards = [
    { shardId: 'p', parentShardIds: [], closed: true },
    { shardId: 'c', parentShardIds: ['p'], closed: false },
  ];
  it('returns TRIM_HORIZON leases for new shards, children included', () => {
    expect(leasesToCreate(shards, new Set(['p']), 's', 'TRIM_HORIZON').map((l) => [l.leaseKey, l.checkpoint])).toEqual([
      ['c', CHECKPOINT.trimHorizon],
    ]);
  });
  it('returns LATEST for open shards and SHARD_END for closed ones on a fresh table', () => {
    expect(leasesToCreate(shards, new Set(), 's', 'LATEST').map((l) => [l.leaseKey, l.checkpoint])).toEqual([
      ['p', CHECKPOINT.shardEnd],
      ['c', CHECKPOINT.latest],
    ]);
  });
  it('returns TRIM_HORIZON for a child found later even with LATEST, so that nothing is skipped', () => {
    expect(leasesToCreate(shards, new Set(['p']), 's', 'LATEST')[0]!.checkpoint).toBe(CHECKPOINT.trimHorizon);
  });
});
