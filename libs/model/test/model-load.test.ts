import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createModel, ModelError } from '../src/index';

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
    await expect(createModel({ path })).rejects.toThrow(path);
    expect(await code(createModel({ path }))).toBe('MODEL_NOT_FOUND');
  });

  it('fails with MODEL_CARD_INVALID when the card lacks a version', async () => {
    expect(
      await code(createModel({ path: modelDir('nocard', Buffer.from('x'), { registeredModelName: 'ride-duration' }) })),
    ).toBe('MODEL_CARD_INVALID');
  });

  it('fails with MODEL_CORRUPT when the file does not match the card hash', async () => {
    const path = modelDir('tampered', Buffer.from('not the trained bytes'), {
      registeredModelName: 'ride-duration',
      version: '3',
      sha256: 'a'.repeat(64),
    });
    expect(await code(createModel({ path }))).toBe('MODEL_CORRUPT');
  });

  it('fails with MODEL_CORRUPT when the bytes are not ONNX', async () => {
    expect(
      await code(
        createModel({
          path: modelDir('garbage', Buffer.from('garbage'), { registeredModelName: 'ride-duration', version: '3' }),
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
    expect(await code(createModel({ path }))).toBe('MODEL_SIGNATURE');
  });
});
