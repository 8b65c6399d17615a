import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_SPECS } from '@ridestream/features';
import { createModel, ModelError } from '../src/index';

const features = FEATURE_SPECS.duration;

const dir = mkdtempSync(join(tmpdir(), 'model-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function modelDir(name: string, onnx: Buffer | null, card: unknown): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  if (onnx) writeFileSync(join(d, 'model.onnx'), onnx);
  if (card !== undefined) writeFileSync(join(d, 'model.json'), typeof card === 'string' ? card : JSON.stringify(card));
  return join(d, 'model.onnx');
}

const code = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return (err as ModelError).code;
};

describe('createModel', () => {
  it('fails with MODEL_NOT_FOUND naming the path when the file is missing', async () => {
    const path = join(dir, 'nowhere', 'model.onnx');
    await expect(createModel({ path, features })).rejects.toThrow(path);
    expect(await code(createModel({ path, features }))).toBe('MODEL_NOT_FOUND');
  });

  it('fails with MODEL_CARD_INVALID when the card lacks a version', async () => {
    expect(
      await code(
        createModel({ path: modelDir('nocard', Buffer.from('x'), { registeredModelName: 'ride-duration' }), features }),
      ),
    ).toBe('MODEL_CARD_INVALID');
  });

  it('fails with MODEL_CORRUPT when the file does not match the card hash', async () => {
    const path = modelDir('tampered', Buffer.from('not the trained bytes'), {
      registeredModelName: 'ride-duration',
      version: '3',
      sha256: 'a'.repeat(64),
    });
    expect(await code(createModel({ path, features }))).toBe('MODEL_CORRUPT');
  });

  it('fails with MODEL_CORRUPT when the bytes are not ONNX', async () => {
    expect(
      await code(
        createModel({
          path: modelDir('garbage', Buffer.from('garbage'), { registeredModelName: 'ride-duration', version: '3' }),
          features,
        }),
      ),
    ).toBe('MODEL_CORRUPT');
  });

  it('fails with MODEL_SIGNATURE when the card lists other features', async () => {
    const path = modelDir('otherfeatures', Buffer.from('x'), {
      registeredModelName: 'ride-duration',
      version: '3',
      featureNames: ['trip_distance'],
    });
    expect(await code(createModel({ path, features }))).toBe('MODEL_SIGNATURE');
  });

  it('fails with MODEL_SIGNATURE when the tip model is loaded for the duration features (card names)', async () => {
    const path = new URL('../../../models/tip/model.onnx', import.meta.url).pathname;
    expect(await code(createModel({ path, features: FEATURE_SPECS.duration }))).toBe('MODEL_SIGNATURE');
  });

  it('fails with MODEL_SIGNATURE when the graph takes another number of features than the spec', async () => {
    // The card says nothing about features: the graph's input width alone must catch it.
    const tip = readFileSync(new URL('../../../models/tip/model.onnx', import.meta.url));
    const path = modelDir('nofeaturenames', tip, { registeredModelName: 'ride-tip', version: '3' });
    const err = await createModel({ path, features: FEATURE_SPECS.duration }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODEL_SIGNATURE' });
    expect((err as Error).message).toContain(`expected float32[N, ${FEATURE_SPECS.duration.count}]`);
  });
});
