/**
 * The signature check at load (issue 16, "untested paths"): the shipped baseline model
 * (models/duration-baseline: a LabelEncoder on a `pu_do` string plus `trip_distance`) is a real graph that the
 * served duration features cannot feed, so `createModel` must refuse it at startup with MODEL_SIGNATURE, first
 * on its card's feature names and, when a card names the served features, on the graph's own inputs.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_SPECS } from '@ridestream/features';
import { afterAll, describe, expect, it } from 'vitest';
import { createModel, ModelError } from '../src/index';

const BASELINE = new URL('../../../models/duration-baseline/model.onnx', import.meta.url).pathname;
const features = FEATURE_SPECS.duration;
const dir = mkdtempSync(join(tmpdir(), 'model-signature-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (p: Promise<unknown>) =>
  p.then(
    (m) => {
      void (m as { dispose(): Promise<void> }).dispose();
      throw new Error('createModel accepted a model it must refuse');
    },
    (e: unknown) => e as ModelError,
  );

describe('createModel signature check', () => {
  it('fails with MODEL_SIGNATURE on the shipped baseline, naming the features it was trained on', async () => {
    const err = await refusal(createModel({ path: BASELINE, features }));
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'MODEL_SIGNATURE', retriable: false, context: { path: BASELINE } });
    expect(err.message).toContain('trained on features [pu_do, trip_distance]');
  });

  it("fails with MODEL_SIGNATURE on the baseline graph's inputs when its card claims the served features", async () => {
    // The same graph behind a card that lies about its features: only the session's own metadata can catch it.
    const path = join(dir, 'model.onnx');
    copyFileSync(BASELINE, path);
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({ registeredModelName: 'ride-duration-baseline', version: '2', featureNames: features.names }),
    );
    const err = await refusal(createModel({ path, features }));
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'MODEL_SIGNATURE', retriable: false, context: { path } });
    expect(err.message).toContain('expected input "features" and output');
    expect(err.message).toContain('found inputs [pu_do, trip_distance]');
  });
});
