import { FEATURE_SPECS } from '@ridestream/features';
import { aCompleted, aStarted } from '@ridestream/features/testing';
import { createModel } from '@ridestream/model';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelScorer, type RecordOutcome, type Scorer, type SourceRecord } from '../src/index';
import { loadScorer, ScoringWorkerError, startScoringWorker } from '../src/scoring-entry';

const MODEL = 'models/duration/model.onnx';
const rec = (position: string, value: string | null): SourceRecord => ({
  position,
  key: `k${position}`,
  value: value === null ? null : Buffer.from(value),
  headers: {},
  timestampMs: 0,
});

/** What must agree between two scorers: everything but the scoring time. */
const comparable = (o: RecordOutcome) => {
  if (o.status !== 'scored') return o;
  const { scoredAt: _scoredAt, ...prediction } = JSON.parse(o.payload) as Record<string, unknown>;
  return { status: o.status, record: o.record, rideId: o.rideId, value: o.value, prediction };
};

describe('startScoringWorker', () => {
  let worker: Scorer;
  beforeAll(async () => {
    worker = await startScoringWorker({ kind: 'duration', modelPath: MODEL });
  });
  afterAll(() => worker?.dispose());

  it('scores in a worker thread exactly as the in-thread scorer does, bad records included, in order', async () => {
    const records = [
      rec('0', JSON.stringify(aStarted('a'))),
      rec('1', '{broken'),
      rec('2', null),
      rec('3', JSON.stringify(aStarted('b', { plannedDistance: 7.5, puLocationId: 74 }))),
      rec('4', JSON.stringify(aStarted('c', { puLocationId: 999 }))),
      rec('5', ''),
      rec('6', JSON.stringify(aStarted('d', { plannedDistance: 0.4 }))),
      rec('7', JSON.stringify(aCompleted('d'))),
    ];
    const inThread = modelScorer('duration', await createModel({ path: MODEL, features: FEATURE_SPECS.duration }));
    try {
      const expected = await inThread.score(records);
      const actual = await worker.score(records);
      expect(actual.map((o) => o.status)).toEqual([
        'scored',
        'rejected',
        'rejected',
        'scored',
        'rejected',
        'rejected',
        'scored',
        'skipped',
      ]);
      expect(actual.map(comparable)).toEqual(expected.map(comparable));
      // The outcomes carry the caller's own records (keys, positions), not copies made for the worker.
      expect(actual.every((o, i) => o.record === records[i])).toBe(true);
      expect(worker.model).toEqual(inThread.model);
    } finally {
      await inThread.dispose();
    }
  });

  it('keeps chunks apart when several are in flight at once', async () => {
    const chunk = (tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => rec(String(i), JSON.stringify(aStarted(`${tag}-${i}`))));
    const chunks = [chunk('x', 300), chunk('y', 1), chunk('z', 1200)];
    const results = await Promise.all(chunks.map((c) => worker.score(c)));
    results.forEach((outcomes, c) => {
      expect(outcomes).toHaveLength(chunks[c]!.length);
      expect(outcomes.map((o) => (o.status === 'scored' ? o.rideId : o.status))).toEqual(
        chunks[c]!.map((r) => JSON.parse(String(r.value)).rideId),
      );
    });
  });

  it('scores small chunks queued together in one model call, each chunk still answered with its own outcomes', async () => {
    // Small chunks sent at once reach the worker while it is busy, and are merged into one call there.
    const sizes = [3, 1, 5, 2, 7, 1, 4];
    const chunks = sizes.map((n, c) =>
      Array.from({ length: n }, (_, i) =>
        i === 1 ? rec(String(i), '{broken') : rec(String(i), JSON.stringify(aStarted(`m${c}-${i}`))),
      ),
    );
    const results = await Promise.all(chunks.map((chunk) => worker.score(chunk)));
    results.forEach((outcomes, c) => {
      expect(outcomes.map((o) => (o.status === 'scored' ? o.rideId : o.status))).toEqual(
        chunks[c]!.map((r, i) => (i === 1 ? 'rejected' : `m${c}-${i}`)),
      );
      expect(outcomes.every((o, i) => o.record === chunks[c]![i])).toBe(true);
    });
  });

  it('answers an empty chunk without a round trip', async () => {
    expect(await worker.score([])).toEqual([]);
  });
});

describe('startScoringWorker failures', () => {
  it('rejects with the model error, as in-thread loading would, when the model file is missing', async () => {
    await expect(startScoringWorker({ kind: 'tip', modelPath: '/nonexistent/model.onnx' })).rejects.toMatchObject({
      name: 'ModelError',
      code: 'MODEL_NOT_FOUND',
    });
  });

  it('rejects with MODEL_CORRUPT when the file does not match its card', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-model-'));
    copyFileSync('models/duration/model.json', join(dir, 'model.json'));
    writeFileSync(join(dir, 'model.onnx'), 'not an onnx graph');
    await expect(startScoringWorker({ kind: 'duration', modelPath: join(dir, 'model.onnx') })).rejects.toMatchObject({
      code: 'MODEL_CORRUPT',
    });
  });

  it('refuses work after dispose, without reporting the planned exit as a failure', async () => {
    const scorer = await startScoringWorker({ kind: 'duration', modelPath: MODEL });
    let failed: unknown;
    scorer.failed?.catch((err: unknown) => (failed = err));
    await Promise.all([scorer.dispose(), scorer.dispose()]);
    await expect(scorer.score([rec('0', JSON.stringify(aStarted('a')))])).rejects.toBeInstanceOf(ScoringWorkerError);
    await new Promise((r) => setImmediate(r));
    expect(failed).toBeUndefined();
  });
});

describe('loadScorer', () => {
  it('gives the in-thread outcomes for chunks below and above the worker threshold', async () => {
    const records = Array.from({ length: 150 }, (_, i) => rec(String(i), JSON.stringify(aStarted(`s-${i}`))));
    const split = await loadScorer({ kind: 'duration', modelPath: MODEL, worker: true, workerMinRecords: 100 });
    const inThread = await loadScorer({ kind: 'duration', modelPath: MODEL, worker: false });
    try {
      expect(split.lookahead).toBeGreaterThan(1);
      expect(inThread.lookahead).toBe(1);
      const small = records.slice(0, 10);
      expect((await split.score(small)).map(comparable)).toEqual((await inThread.score(small)).map(comparable));
      expect((await split.score(records)).map(comparable)).toEqual((await inThread.score(records)).map(comparable));
    } finally {
      await Promise.all([split.dispose(), inThread.dispose()]);
    }
  });

  it('stops startup with the model error when the model is missing', async () => {
    await expect(loadScorer({ kind: 'tip', modelPath: '/nonexistent/model.onnx', worker: true })).rejects.toMatchObject(
      { code: 'MODEL_NOT_FOUND' },
    );
  });
});
