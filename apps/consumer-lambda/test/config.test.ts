import { ConfigError } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

const valid = {
  PREDICTION_KIND: 'tip',
  MODEL_PATH: 'models/tip/model.onnx',
  OUTPUT_STREAM: 'tip-predictions',
  DEAD_LETTER_STREAM: 'rides.dlq',
  AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
};

describe('consumer-lambda config', () => {
  it('returns the function name and region defaults', () => {
    expect(loadConfig(valid)).toMatchObject({
      PREDICTION_KIND: 'tip',
      FUNCTION_NAME: 'ridestream-consumer',
      AWS_REGION: 'us-east-1',
    });
  });

  it('fails naming each missing or bad variable', () => {
    const err = (() => {
      try {
        loadConfig({ ...valid, PREDICTION_KIND: 'fare', OUTPUT_STREAM: '', AWS_LAMBDA_RUNTIME_API: undefined! });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('loadConfig accepted a bad environment');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => i.variable).sort()).toEqual([
      'AWS_LAMBDA_RUNTIME_API',
      'OUTPUT_STREAM',
      'PREDICTION_KIND',
    ]);
  });
});
