import { describe, expect, it, vi } from 'vitest';
import { createShadow, type OutgoingMessage, type RecordOutcome, type Scorer, type SourceRecord } from '../src/index';

const record = (i: number): SourceRecord => ({
  position: String(i),
  key: `r${i}`,
  value: null,
  headers: {},
  timestampMs: 0,
});

function challenger(score: (records: readonly SourceRecord[]) => Promise<RecordOutcome[]>): Scorer {
  return {
    kind: 'duration',
    model: { name: 'ride-duration', version: '9' },
    lookahead: 1,
    score,
    dispose: vi.fn(async () => {}),
  };
}
const scoredAll = async (records: readonly SourceRecord[]): Promise<RecordOutcome[]> =>
  records.map((r, i) =>
    i === 1
      ? { status: 'rejected', record: r, code: 'INVALID_EVENT', reason: 'bad', issues: [] }
      : { status: 'scored', record: r, rideId: r.key!, value: 1, payload: `{"v":"9","ride":"${r.key}"}` },
  );

function counter() {
  const counts: Record<string, number> = {};
  return { counts, inc: (l: { outcome: string }, v = 1) => void (counts[l.outcome] = (counts[l.outcome] ?? 0) + v) };
}

describe('createShadow', () => {
  it('publishes the challenger predictions of a chunk to the shadow stream, keyed by ride, and nothing else', async () => {
    const published: OutgoingMessage[] = [];
    const records = counter();
    const shadow = createShadow({
      scorer: challenger(scoredAll),
      outputStream: 'ride-duration-predictions.shadow',
      publish: async (m) => void published.push(...m),
      logger: { warn: vi.fn() },
      records,
    });
    shadow.offer([record(0), record(1), record(2)]);
    await shadow.drain();
    expect(published).toEqual([
      { stream: 'ride-duration-predictions.shadow', key: 'r0', value: '{"v":"9","ride":"r0"}' },
      { stream: 'ride-duration-predictions.shadow', key: 'r2', value: '{"v":"9","ride":"r2"}' },
    ]);
    expect(records.counts).toEqual({ published: 2 });
  });

  it('counts and logs a failing challenger without throwing', async () => {
    const warn = vi.fn();
    const records = counter();
    const shadow = createShadow({
      scorer: challenger(async () => {
        throw new Error('challenger broke');
      }),
      outputStream: 's',
      publish: async () => {},
      logger: { warn },
      records,
    });
    expect(() => shadow.offer([record(0), record(1)])).not.toThrow();
    await shadow.drain();
    expect(records.counts).toEqual({ failed: 2 });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('skips chunks past maxInFlight instead of queueing them behind a slow challenger', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const records = counter();
    const shadow = createShadow({
      scorer: challenger(async (rs) => (await gate, scoredAll(rs))),
      outputStream: 's',
      publish: async () => {},
      logger: { warn: vi.fn() },
      records,
      maxInFlight: 1,
    });
    shadow.offer([record(0)]);
    shadow.offer([record(1), record(2)]);
    expect(records.counts).toEqual({ skipped: 2 });
    release();
    await shadow.drain();
    expect(records.counts).toEqual({ skipped: 2, published: 1 });
  });
});
