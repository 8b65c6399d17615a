import { ConfigError, isRetriable, loadEnvConfig } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { classifyKafkaError, kafkaConnectionFromEnv, kafkaEnvSchema, KafkaTransportError } from '../src/index';

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

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' }, ['KAFKA_SASL_PASSWORD']],
    [{ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'hunter2-secret' }, ['KAFKA_SASL_MECHANISM']],
    [{ KAFKA_SASL_MECHANISM: 'plain' }, ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']],
  ])('rejects a partial SASL configuration %j, naming what is missing', (sasl, missing) => {
    const env = loadEnvConfig(kafkaEnvSchema, { KAFKA_BROKERS: 'a:9093', ...sasl });
    const error = (() => {
      try {
        kafkaConnectionFromEnv(env, 'svc');
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.variable)).toEqual(missing);
    // A partial configuration may hold the password: it must not end up in the message.
    expect((error as ConfigError).message).not.toContain('hunter2-secret');
  });

  it('rejects an unknown SASL mechanism naming the variable', () => {
    expect(() => loadEnvConfig(kafkaEnvSchema, { KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(
      /KAFKA_SASL_MECHANISM/,
    );
  });
});

describe('classifyKafkaError', () => {
  const isRetriableKafkaError = (e: unknown) => isRetriable(e, classifyKafkaError);

  it('leaves every error but the retries-exceeded wrapper to its own flag', () => {
    expect(classifyKafkaError(new KafkaTransportError('PUBLISH_FAILED', 'x', { retriable: true }))).toBeUndefined();
    expect(isRetriableKafkaError(new KafkaTransportError('PUBLISH_FAILED', 'x', { retriable: true }))).toBe(true);
    expect(isRetriableKafkaError(new KafkaTransportError('PUBLISHER_STOPPED', 'x'))).toBe(false);
  });

  it("judges kafkajs' own retries-exceeded wrapper by its root cause", async () => {
    type ErrorClass = new (...args: unknown[]) => Error;
    const kafkajs = (await import('kafkajs')).default as unknown as Record<string, ErrorClass>;
    const KafkaJSNumberOfRetriesExceeded = kafkajs['KafkaJSNumberOfRetriesExceeded']!;
    const KafkaJSProtocolError = kafkajs['KafkaJSProtocolError']!;
    const KafkaJSNonRetriableError = kafkajs['KafkaJSNonRetriableError']!;
    const missingTopic = new KafkaJSProtocolError({
      message: 'This server does not host this topic-partition',
      retriable: true,
    });
    const wrapped = new KafkaJSNumberOfRetriesExceeded(missingTopic, { retryCount: 5, retryTime: 1000 });
    expect((wrapped as { retriable?: boolean }).retriable).toBe(false); // what kafkajs says
    expect(isRetriableKafkaError(wrapped)).toBe(true);
    const badConfig = new KafkaJSNonRetriableError('bad');
    expect(
      isRetriableKafkaError(new KafkaJSNumberOfRetriesExceeded(badConfig, { retryCount: 5, retryTime: 1000 })),
    ).toBe(false);
  });
});
