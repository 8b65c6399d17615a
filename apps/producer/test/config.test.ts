import { ConfigError } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

/** The variables named by the ConfigError that `load` throws. */
function failingVariables(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => i.variable).sort();
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('producer config', () => {
  it('returns the Kafka defaults when TRANSPORT is unset', () => {
    const c = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(c.transport).toBe('kafka');
    expect(c.env).toMatchObject({
      RIDES_TOPIC: 'rides',
      HTTP_PORT: 8080,
      BODY_LIMIT_BYTES: 1048576,
      MAX_RIDES_PER_REQUEST: 1000,
      LINGER_MS: 0,
      PUBLISH_MAX_BATCH_RIDES: 1000,
      PUBLISH_MAX_IN_FLIGHT: 1,
      PUBLISH_MAX_QUEUED_RIDES: 20_000,
      COMPRESSION: 'none',
      CREATE_TOPICS: false,
    });
  });

  it('returns the Kafka configuration for TRANSPORT=kafka, and an empty TRANSPORT counts as unset', () => {
    expect(loadConfig({ TRANSPORT: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092' }).transport).toBe('kafka');
    expect(loadConfig({ TRANSPORT: '', KAFKA_BROKERS: '127.0.0.1:9092' }).transport).toBe('kafka');
  });

  it('fails naming every bad variable', () => {
    expect(
      failingVariables(() =>
        loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092', COMPRESSION: 'brotli', LINGER_MS: '-1', HTTP_PORT: 'x' }),
      ),
    ).toEqual(['COMPRESSION', 'HTTP_PORT', 'LINGER_MS']);
  });

  it('fails naming KAFKA_BROKERS when it is missing on Kafka', () => {
    expect(failingVariables(() => loadConfig({}))).toEqual(['KAFKA_BROKERS']);
  });

  it('returns the Kinesis configuration for TRANSPORT=kinesis, with the same HTTP defaults and no Kafka needed', () => {
    const c = loadConfig({ TRANSPORT: 'kinesis' });
    expect(c.transport).toBe('kinesis');
    if (c.transport !== 'kinesis') return;
    expect(c.env).toMatchObject({
      RIDES_STREAM: 'rides',
      CREATE_RESOURCES: false,
      AWS_REGION: 'us-east-1',
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: 8080,
      BODY_LIMIT_BYTES: 1048576,
      MAX_RIDES_PER_REQUEST: 1000,
      LINGER_MS: 0,
      PUBLISH_MAX_IN_FLIGHT: 4,
    });
    expect(c.env.KINESIS_ENDPOINT).toBeUndefined();
    expect(c.env.PRODUCER_API_KEYS).toBeUndefined();
    expect(c.env.RATE_LIMIT_PER_MINUTE).toBeUndefined();
  });

  it('returns the Kinesis endpoint, stream, flags, auth and rate limit as given', () => {
    const c = loadConfig({
      TRANSPORT: 'kinesis',
      KINESIS_ENDPOINT: 'http://127.0.0.1:4567',
      AWS_REGION: 'eu-west-1',
      RIDES_STREAM: 'rides-test',
      CREATE_RESOURCES: 'true',
      PRODUCER_API_KEYS: 'key-a-0123456789abcdef, key-b-fedcba9876543210',
      RATE_LIMIT_PER_MINUTE: '600',
    });
    if (c.transport !== 'kinesis') throw new Error('expected kinesis');
    expect(c.env).toMatchObject({
      KINESIS_ENDPOINT: 'http://127.0.0.1:4567',
      AWS_REGION: 'eu-west-1',
      RIDES_STREAM: 'rides-test',
      CREATE_RESOURCES: true,
      PRODUCER_API_KEYS: ['key-a-0123456789abcdef', 'key-b-fedcba9876543210'],
      RATE_LIMIT_PER_MINUTE: 600,
    });
  });

  it('fails naming every bad Kinesis variable', () => {
    expect(
      failingVariables(() =>
        loadConfig({
          TRANSPORT: 'kinesis',
          KINESIS_ENDPOINT: 'localhost 4567',
          CREATE_RESOURCES: 'sometimes',
          MAX_RIDES_PER_REQUEST: '0',
          PRODUCER_API_KEYS: 'short',
        }),
      ),
    ).toEqual(['CREATE_RESOURCES', 'KINESIS_ENDPOINT', 'MAX_RIDES_PER_REQUEST', 'PRODUCER_API_KEYS']);
  });

  it('fails naming TRANSPORT when it is neither kafka nor kinesis', () => {
    expect(failingVariables(() => loadConfig({ TRANSPORT: 'pulsar', KAFKA_BROKERS: '127.0.0.1:9092' }))).toEqual([
      'TRANSPORT',
    ]);
  });
});
