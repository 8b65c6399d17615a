import { ConfigError } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('prediction-api config', () => {
  it('returns the defaults without any Kafka variable', () => {
    expect(loadConfig({})).toMatchObject({
      HTTP_PORT: 8090,
      DURATION_MODEL_PATH: 'models/duration/model.onnx',
      MAX_RIDES_PER_REQUEST: 500,
    });
  });

  it('fails naming the variable', () => {
    expect(() => loadConfig({ MAX_RIDES_PER_REQUEST: '100000' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAX_RIDES_PER_REQUEST: '100000' })).toThrow(/MAX_RIDES_PER_REQUEST/);
  });
});
