/**
 * The shipped models, scored through the TypeScript features and onnxruntime-node, against the predictions the
 * Python pipeline recorded with onnxruntime for the same rides (the golden file's `expected`).
 */
import {
  FEATURE_SPECS,
  featurize,
  type PredictionKind,
  type RideCompleted,
  type RidePaid,
  type RideStarted,
} from '@ridestream/features';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createModel } from '../src/index';

interface GoldenRow {
  events: { started: RideStarted; completed: RideCompleted; paid: RidePaid };
  expected?: Record<PredictionKind, number>;
}
const rows = readFileSync(new URL('../../features/test/fixtures/golden-features.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as GoldenRow)
  .filter((r): r is Required<GoldenRow> => r.expected !== undefined);

/** Each kind's feature matrix from the event it scores: duration from `ride.started`, tip from `ride.completed`. */
const featuresOf = (kind: PredictionKind, rs: readonly GoldenRow[]) =>
  kind === 'duration'
    ? featurize(
        FEATURE_SPECS.duration,
        rs.map((r) => r.events.started),
      )
    : featurize(
        FEATURE_SPECS.tip,
        rs.map((r) => r.events.completed),
      );

describe.each(['duration', 'tip'] as const)('shipped %s model', (kind) => {
  const features = FEATURE_SPECS[kind];
  it('returns the predictions Python recorded, within 1e-4', async () => {
    expect(rows.length).toBeGreaterThanOrEqual(200);
    const path = new URL(`../../../models/${kind}/model.onnx`, import.meta.url).pathname;
    const model = await createModel({ path, features });
    try {
      const out = await model.predict(featuresOf(kind, rows), rows.length);
      const worst = rows.reduce((m, r, i) => Math.max(m, Math.abs(out[i]! - r.expected[kind])), 0);
      expect(worst).toBeLessThanOrEqual(1e-4);
      expect(model.info.name).toBe(kind === 'duration' ? 'ride-duration' : 'ride-tip');
    } finally {
      await model.dispose();
    }
  });

  it('returns the same values whether scored in one call or in chunks', async () => {
    const path = new URL(`../../../models/${kind}/model.onnx`, import.meta.url).pathname;
    const whole = await createModel({ path, features });
    const chunked = await createModel({ path, features, maxRowsPerRun: 7 });
    try {
      const x = featuresOf(kind, rows);
      expect(Array.from(await chunked.predict(x, rows.length))).toEqual(
        Array.from(await whole.predict(x, rows.length)),
      );
    } finally {
      await whole.dispose();
      await chunked.dispose();
    }
  });
});
