import { kafkaEnvSchema, loadEnvConfig } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { isRetriableKafkaError, kafkaConnectionFromEnv, KafkaTransportError } from '../src/index';

describe('kafkaConnectionFromEnv', () => {
  it('returns a plaintext connection by default', () => {
    const env = loadEnvConfig(kafkaEnvSchema, { KAFKA_BROKERS: 'a:9092,b:9092' });
    expect(kafkaConnectionFromEnv(env, 'svc')).toEqual({
      brokers: ['a:9092', 'b:9092'],
      clientId: 'svc',
      ssl: false,
      sasl: undefined,
    });
  });

  it('returns SASL over TLS when configured, with the CA', () => {
    const env = loadEnvConfig(kafkaEnvSchema, {
      KAFKA_BROKERS: 'a:9093',
      KAFKA_CLIENT_ID: 'mine',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA: '-----BEGIN CERTIFICATE-----',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(kafkaConnectionFromEnv(env, 'svc')).toEqual({
      brokers: ['a:9093'],
      clientId: 'mine',
      ssl: { ca: '-----BEGIN CERTIFICATE-----' },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
  });

  it('rejects an unknown SASL mechanism naming the variable', () => {
    expect(() => loadEnvConfig(kafkaEnvSchema, { KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(
      /KAFKA_SASL_MECHANISM/,
    );
  });
});

describe('isRetriableKafkaError', () => {
  it('returns true only for errors that say so', () => {
    expect(isRetriableKafkaError(new KafkaTransportError('PUBLISH_FAILED', 'x', true))).toBe(true);
    expect(isRetriableKafkaError(new KafkaTransportError('PUBLISHER_STOPPED', 'x', false))).toBe(false);
    expect(isRetriableKafkaError(new Error('plain'))).toBe(false);
  });
});
