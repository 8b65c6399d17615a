import { ConfigError } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { loadConsumerConfig } from '../src/index';

// One table for both consumer apps: they share the schema, and differ only in these defaults.
describe.each([
  { kind: 'duration', name: 'duration-consumer', modelDir: 'models/duration/' },
  { kind: 'tip', name: 'tip-consumer', modelDir: 'models/tip/' },
] as const)('$name config', ({ kind, name, modelDir }) => {
  const loadConfig = (env: Record<string, string>) => loadConsumerConfig(kind, env);

  it('returns the defaults of this consumer', () => {
    const c = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(c.transport).toBe('kafka');
    if (c.transport !== 'kafka') return;
    expect(c.env).toMatchObject({
      CONSUMER_GROUP: name,
      INPUT_TOPIC: 'rides',
      DEAD_LETTER_TOPIC: 'rides.dlq',
      BATCH_SIZE: 500,
    });
    expect(c.env.MODEL_PATH).toContain(modelDir);
  });

  it('fails naming each bad variable', () => {
    const err = (() => {
      try {
        loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092', BATCH_SIZE: '0', HTTP_PORT: 'http', KAFKA_SSL: 'sometimes' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('loadConfig accepted a bad environment');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => i.variable).sort()).toEqual(['BATCH_SIZE', 'HTTP_PORT', 'KAFKA_SSL']);
  });

  it('fails naming KAFKA_BROKERS when it is missing', () => {
    expect(() => loadConfig({})).toThrow(/KAFKA_BROKERS/);
  });

  it('returns the Kinesis configuration when TRANSPORT=kinesis, with the same defaults', () => {
    const c = loadConfig({ TRANSPORT: 'kinesis', AWS_REGION: 'us-east-1' });
    expect(c.transport).toBe('kinesis');
    if (c.transport !== 'kinesis') return;
    expect(c.env).toMatchObject({
      APPLICATION_NAME: name,
      INPUT_STREAM: 'rides',
      DEAD_LETTER_STREAM: 'rides.dlq',
    });
  });

  it('refuses EXACTLY_ONCE on KAFKA_CLIENT=platformatic, naming the variable, and takes it on kafkajs', () => {
    const env = { KAFKA_BROKERS: '127.0.0.1:9092', EXACTLY_ONCE: 'true' };
    expect(() => loadConfig({ ...env, KAFKA_CLIENT: 'platformatic' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ variable: 'EXACTLY_ONCE' })] }),
    );
    const c = loadConfig({ ...env, KAFKA_CLIENT: 'kafkajs' });
    expect(c.transport === 'kafka' && c.env.EXACTLY_ONCE).toBe(true);
    const plain = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_CLIENT: 'platformatic' });
    expect(plain.transport === 'kafka' && plain.env.KAFKA_CLIENT).toBe('platformatic');
  });

  it('fails naming TRANSPORT when it is neither kafka nor kinesis', () => {
    expect(() => loadConfig({ TRANSPORT: 'pulsar' })).toThrow(/TRANSPORT/);
  });
});
