import { describe, expect, it } from 'vitest';
import { ModelError, parseModelUri } from '../src/index';

describe('parseModelUri', () => {
  it.each([
    ['models/duration/model.onnx', { kind: 'path', path: 'models/duration/model.onnx' }],
    ['/abs/model.onnx', { kind: 'path', path: '/abs/model.onnx' }],
    ['s3://bucket/a/b/model.onnx', { kind: 's3', bucket: 'bucket', key: 'a/b/model.onnx' }],
    ['models:/ride-duration@production', { kind: 'registry-alias', name: 'ride-duration', alias: 'production' }],
    ['models:/ride-duration/12', { kind: 'registry-version', name: 'ride-duration', version: '12' }],
    [
      'runs:/0123456789abcdef0123456789abcdef/serving',
      { kind: 'run', runId: '0123456789abcdef0123456789abcdef', artifactPath: 'serving' },
    ],
    [
      'runs:/0123456789abcdef0123456789abcdef/a/b/',
      { kind: 'run', runId: '0123456789abcdef0123456789abcdef', artifactPath: 'a/b' },
    ],
  ])('returns the source of %s', (uri, expected) => {
    expect(parseModelUri(uri)).toEqual({ uri, ...expected });
  });

  it.each([
    ['', 'empty'],
    ['models:/ride-duration', 'expected models:/<name>@<alias>'],
    ['models:/ride-duration/latest', '"latest" is not a version number'],
    ['models:/@production', 'name is empty'],
    ['models:/ride-duration@', 'is not a valid alias'],
    ['runs:/not-a-run/serving', 'is not an MLflow run id'],
    ['runs:/0123456789abcdef0123456789abcdef', 'expected runs:/<run id>/<artifact path>'],
    ['s3://bucket', 'expected s3://<bucket>/<key'],
    ['s3://bucket/model.json', 'must name the .onnx file'],
    ['https://example.com/model.onnx', 'unsupported scheme'],
  ])('rejects %j with MODEL_URI_INVALID naming the URI (%s)', (uri, why) => {
    let err: unknown;
    try {
      parseModelUri(uri);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('MODEL_URI_INVALID');
    expect((err as ModelError).retriable).toBe(false);
    expect((err as ModelError).message).toContain(`"${uri}"`);
    expect((err as ModelError).message).toContain(why);
  });
});
