import { ConfigError } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('monitor config', () => {
  it('returns the documented defaults', () => {
    const c = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(c).toMatchObject({
      INPUT_TOPIC: 'rides',
      METRICS_TOPIC: 'model-metrics',
      WINDOW_MS: 3_600_000,
      MAX_TRUTH_DELAY_MS: 7_200_000,
      SHADOW_SUFFIX: '.shadow',
      HTTP_PORT: 9105,
    });
  });

  it('rejects a window under a minute and a missing broker list, naming each variable', () => {
    let err: unknown;
    try {
      loadConfig({ WINDOW_MS: '10' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['KAFKA_BROKERS', 'WINDOW_MS']);
  });
});
