import { describe, expect, it, vi } from 'vitest';
import type { RecordOutcome, Scorer, SourceRecord } from '../src/index';
import { createSwappableScorer } from '../src/index';

const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const record = (i: number): SourceRecord => ({
  position: String(i),
  key: null,
  value: null,
  headers: {},
  timestampMs: 0,
});

/** A scorer of one version whose chunks finish when the test says so; each outcome names the version. */
function fakeScorer(version: string) {
  const gates: (() => void)[] = [];
  let dieWith: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (dieWith = reject));
  failed.catch(() => {});
  const scorer: Scorer & { disposed: number; release(): void; die(err: unknown): void } = {
    kind: 'duration',
    model: { name: 'ride-duration', version },
    lookahead: 1,
    failed,
    disposed: 0,
    score: (records) =>
      new Promise<RecordOutcome[]>((resolve) =>
        gates.push(() =>
          resolve(records.map((r) => ({ status: 'scored', record: r, rideId: version, value: 1, payload: version }))),
        ),
      ),
    async dispose() {
      scorer.disposed += 1;
    },
    release: () => gates.splice(0).forEach((g) => g()),
    die: (err) => dieWith(err),
  };
  return scorer;
}

const versionsOf = (outcomes: RecordOutcome[]) => [
  ...new Set(outcomes.map((o) => (o.status === 'scored' ? o.payload : '?'))),
];

function setup(initial = fakeScorer('1')) {
  let wanted = '1';
  const loaded = new Map<string, ReturnType<typeof fakeScorer>>();
  const bad = new Set<string>();
  const onSwap = vi.fn();
  const onRefused = vi.fn();
  const onPollFailed = vi.fn();
  let registryDown = false;
  const scorer = createSwappableScorer({
    initial,
    wantedVersion: async () => {
      if (registryDown) throw new Error('registry down');
      return wanted;
    },
    load: async (v) => {
      if (bad.has(v)) throw new Error(`version ${v} fails its checks`);
      const s = fakeScorer(v);
      loaded.set(v, s);
      return s;
    },
    intervalMs: 3_600_000, // the test polls by hand
    logger,
    onSwap,
    onRefused,
    onPollFailed,
  });
  return {
    scorer,
    initial,
    loaded,
    onSwap,
    onRefused,
    onPollFailed,
    point: (v: string) => (wanted = v),
    breakVersion: (v: string) => bad.add(v),
    registry: (down: boolean) => (registryDown = down),
  };
}

describe('createSwappableScorer', () => {
  it('swaps between chunks: a chunk in flight finishes on the old version, the next runs whole on the new one', async () => {
    const t = setup();
    const inFlight = t.scorer.score([record(0), record(1)]);
    t.point('2');
    await t.scorer.poll();
    expect(t.scorer.model.version).toBe('2');
    expect(t.onSwap).toHaveBeenCalledWith(
      { name: 'ride-duration', version: '1' },
      { name: 'ride-duration', version: '2' },
    );
    const next = t.scorer.score([record(2), record(3)]);
    // The old model is still needed by the chunk in flight.
    expect(t.initial.disposed).toBe(0);
    t.initial.release();
    expect(versionsOf(await inFlight)).toEqual(['1']);
    t.loaded.get('2')!.release();
    expect(versionsOf(await next)).toEqual(['2']);
    expect(t.initial.disposed).toBe(1);
  });

  it('refuses a version that fails its checks, keeps serving, and tries it again only after the alias moved', async () => {
    const t = setup();
    t.breakVersion('2');
    t.point('2');
    await t.scorer.poll();
    await t.scorer.poll();
    expect(t.scorer.model.version).toBe('1');
    expect(t.onRefused).toHaveBeenCalledTimes(1);
    expect(t.onRefused.mock.calls[0]![0]).toBe('2');
    t.point('3');
    await t.scorer.poll();
    expect(t.scorer.model.version).toBe('3');
    t.point('2');
    await t.scorer.poll();
    expect(t.onRefused).toHaveBeenCalledTimes(2);
    expect(t.scorer.model.version).toBe('3');
  });

  it('rolls back when the alias moves back, loading the old version again', async () => {
    const t = setup();
    t.point('2');
    await t.scorer.poll();
    t.point('1');
    await t.scorer.poll();
    expect(t.scorer.model.version).toBe('1');
    expect(t.loaded.has('1')).toBe(true);
    expect(t.loaded.get('2')!.disposed).toBe(1);
  });

  it('keeps serving when the registry cannot be asked', async () => {
    const t = setup();
    t.registry(true);
    await t.scorer.poll();
    expect(t.onPollFailed).toHaveBeenCalledTimes(1);
    expect(t.scorer.model.version).toBe('1');
  });

  it('fails when the serving scorer dies, not when a retired one does', async () => {
    const t = setup();
    t.point('2');
    await t.scorer.poll();
    t.initial.die(new Error('old worker exited'));
    const outcome = await Promise.race([
      t.scorer.failed!.catch((e: Error) => e.message),
      new Promise((r) => setTimeout(() => r('alive'), 20)),
    ]);
    expect(outcome).toBe('alive');
    t.loaded.get('2')!.die(new Error('worker exited'));
    await expect(t.scorer.failed).rejects.toThrow('worker exited');
  });

  it('releases every model on dispose, once', async () => {
    const t = setup();
    const inFlight = t.scorer.score([record(0)]);
    t.point('2');
    await t.scorer.poll();
    await Promise.all([t.scorer.dispose(), t.scorer.dispose()]);
    expect(t.initial.disposed).toBe(1);
    expect(t.loaded.get('2')!.disposed).toBe(1);
    t.initial.release();
    await inFlight;
  });
});
