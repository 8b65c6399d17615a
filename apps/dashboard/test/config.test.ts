import { ConfigError } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

function failingVariables(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...new Set((err as ConfigError).issues.map((i) => i.variable))].sort();
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('dashboard config', () => {
  it('returns the Kafka defaults when TRANSPORT is unset', () => {
    const c = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(c.transport).toBe('kafka');
    expect(c.env).toMatchObject({
      HTTP_PORT: 8088,
      RIDES_TOPIC: 'rides',
      PREDICTION_TOPICS: ['ride-duration-predictions', 'tip-predictions'],
      DEAD_LETTER_TOPIC: 'rides.dlq',
      SCRAPE_TARGETS: [],
      SCRAPE_INTERVAL_MS: 2000,
      TICK_MS: 1000,
      FROM_BEGINNING: false,
    });
  });

  it('returns the Kinesis streams for TRANSPORT=kinesis and the scrape targets as name and url', () => {
    const c = loadConfig({
      TRANSPORT: 'kinesis',
      KINESIS_ENDPOINT: 'http://127.0.0.1:4567',
      PREDICTION_STREAMS: 'a, b',
      SCRAPE_TARGETS: 'producer=http://127.0.0.1:8080/metrics,tip=http://127.0.0.1:9/metrics',
    });
    expect(c.transport).toBe('kinesis');
    expect(c.env).toMatchObject({
      RIDES_STREAM: 'rides',
      PREDICTION_STREAMS: ['a', 'b'],
      SCRAPE_TARGETS: [
        { name: 'producer', url: 'http://127.0.0.1:8080/metrics' },
        { name: 'tip', url: 'http://127.0.0.1:9/metrics' },
      ],
    });
  });

  it('fails naming every bad variable', () => {
    expect(
      failingVariables(() =>
        loadConfig({
          KAFKA_BROKERS: '127.0.0.1:9092',
          SCRAPE_TARGETS: 'http://127.0.0.1:8080/metrics',
          TICK_MS: '0',
          FROM_BEGINNING: 'maybe',
        }),
      ),
    ).toEqual(['FROM_BEGINNING', 'SCRAPE_TARGETS', 'TICK_MS']);
    expect(failingVariables(() => loadConfig({ TRANSPORT: 'pigeon' }))).toEqual(['TRANSPORT']);
    expect(failingVariables(() => loadConfig({}))).toEqual(['KAFKA_BROKERS']);
  });
});
