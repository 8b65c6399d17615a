import { ConfigError } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('producer config', () => {
  it('returns the defaults', () => {
    expect(loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' })).toMatchObject({
      RIDES_TOPIC: 'rides',
      HTTP_PORT: 8080,
      BODY_LIMIT_BYTES: 1048576,
      MAX_RIDES_PER_REQUEST: 1000,
      LINGER_MS: 5,
      COMPRESSION: 'none',
    });
  });

  it('fails naming every bad variable', () => {
    try {
      loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092', COMPRESSION: 'brotli', LINGER_MS: '-1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['COMPRESSION', 'LINGER_MS']);
    }
  });
});
