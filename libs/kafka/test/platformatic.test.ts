import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  SASLMechanisms,
} from '@platformatic/kafka';
import { ConfigError, loadEnvConfig } from '@ridestream/runtime';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaClientEnvSchema, KafkaTransportError } from '../src/index';
import { platformaticOptions } from '../src/platformatic/connection';
import { classifyPlatformaticError, isStaleMembershipError, toKafkaTransportError } from '../src/platformatic/errors';
import { producerOptions, toPlatformaticMessages } from '../src/platformatic/publisher';

// ApiKey 22 is InitProducerId: what a response error of a transactional producer names.
const INIT_PRODUCER_ID = 22;
const responseError = (...ids: string[]) =>
  new ResponseError(
    INIT_PRODUCER_ID,
    5,
    Object.fromEntries(ids.map((id, i) => [`/${i}`, [new ProtocolError(id).apiCode as number, null]])),
    {},
  );

describe('KAFKA_CLIENT', () => {
  it('returns kafkajs by default and platformatic when asked', () => {
    expect(loadEnvConfig(kafkaClientEnvSchema, {}).KAFKA_CLIENT).toBe('kafkajs');
    expect(loadEnvConfig(kafkaClientEnvSchema, { KAFKA_CLIENT: 'platformatic' }).KAFKA_CLIENT).toBe('platformatic');
  });

  it('rejects an unknown client naming the variable', () => {
    expect(() => loadEnvConfig(kafkaClientEnvSchema, { KAFKA_CLIENT: 'rdkafka' })).toThrow(ConfigError);
    expect(() => loadEnvConfig(kafkaClientEnvSchema, { KAFKA_CLIENT: 'rdkafka' })).toThrow(/KAFKA_CLIENT/);
  });
});

describe('platformaticOptions', () => {
  it('returns a plaintext connection without tls or sasl', () => {
    const o = platformaticOptions({ brokers: ['a:9092', 'b:9092'], clientId: 'svc', ssl: false });
    expect(o).toMatchObject({ clientId: 'svc', bootstrapBrokers: ['a:9092', 'b:9092'] });
    expect(o).not.toHaveProperty('tls');
    expect(o).not.toHaveProperty('sasl');
  });

  it.each([
    ['plain', SASLMechanisms.PLAIN],
    ['scram-sha-256', SASLMechanisms.SCRAM_SHA_256],
    ['scram-sha-512', SASLMechanisms.SCRAM_SHA_512],
  ] as const)('returns SASL %s over TLS with the private CA', (mechanism, expected) => {
    const o = platformaticOptions({
      brokers: ['a:9093'],
      clientId: 'svc',
      ssl: { ca: '-----BEGIN CERTIFICATE-----' },
      sasl: { mechanism, username: 'u', password: 'p' },
    });
    expect(o.tls).toEqual({ ca: '-----BEGIN CERTIFICATE-----' });
    expect(o.sasl).toEqual({ mechanism: expected, username: 'u', password: 'p' });
  });

  it('returns TLS on the system CAs when no CA is given', () => {
    expect(platformaticOptions({ brokers: ['a:9093'], clientId: 'svc', ssl: true }).tls).toEqual({});
  });
});

describe('classifyPlatformaticError', () => {
  it.each([
    ['a lost connection', new NetworkError('Connection closed'), true],
    ['a leader moving', new ProtocolError('NOT_LEADER_OR_FOLLOWER'), true],
    ['a transaction still being aborted', responseError('CONCURRENT_TRANSACTIONS'), true],
    ['a refused login', new AuthenticationError('SASL authentication failed'), false],
    ['a missing permission', responseError('TOPIC_AUTHORIZATION_FAILED'), false],
    ['a fenced producer', responseError('PRODUCER_FENCED'), false],
    ['an old producer epoch', new ProtocolError('INVALID_PRODUCER_EPOCH'), false],
    [
      'one retriable and one fatal error in one request',
      responseError('NOT_LEADER_OR_FOLLOWER', 'TOPIC_AUTHORIZATION_FAILED'),
      false,
    ],
    [
      'retries of a retriable error, wrapped',
      new MultipleErrors('produce failed 6 times.', [new NetworkError('x')]),
      true,
    ],
    [
      'a programming error inside the client (says nothing: the default decides)',
      new MultipleErrors('failed', [new TypeError('not a Buffer')]),
      undefined,
    ],
    ['a plain error (says nothing)', new Error('plain'), undefined],
    ['our own retriable error', new KafkaTransportError('PUBLISH_FAILED', 'x', { retriable: true }), true],
  ])('judges %s', (_, error, retriable) => {
    expect(classifyPlatformaticError(error)).toBe(retriable);
  });
});

describe('isStaleMembershipError', () => {
  it('returns true when the group moved on, nested or not', () => {
    expect(isStaleMembershipError(new ProtocolError('ILLEGAL_GENERATION'))).toBe(true);
    expect(isStaleMembershipError(new MultipleErrors('commit', [responseError('UNKNOWN_MEMBER_ID')]))).toBe(true);
    expect(isStaleMembershipError(new NetworkError('x'))).toBe(false);
  });
});

describe('toKafkaTransportError', () => {
  it("returns our typed error naming the broker's codes, with the client's verdict and cause", () => {
    const cause = responseError('PRODUCER_FENCED');
    const error = toKafkaTransportError('PUBLISH_FAILED', 'transaction t.0 failed', cause);
    expect(error).toBeInstanceOf(KafkaTransportError);
    expect(error.code).toBe('PUBLISH_FAILED');
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/^transaction t\.0 failed: .*InitProducerId.*\(PRODUCER_FENCED\)$/);
    expect(error.cause).toBe(cause);
    expect(toKafkaTransportError('PUBLISH_FAILED', 'send', new NetworkError('gone')).retriable).toBe(true);
  });
});

describe('toPlatformaticMessages', () => {
  it('returns bytes for key, value and every header', () => {
    const [m] = toPlatformaticMessages([{ stream: 'preds', key: 'r1', value: '{"a":1}', headers: { 'x-code': 'E' } }]);
    expect(m!.topic).toBe('preds');
    expect(m!.key).toEqual(Buffer.from('r1'));
    expect(m!.value).toEqual(Buffer.from('{"a":1}'));
    expect([...(m!.headers as Map<Buffer, Buffer>)].map(([k, v]) => [k.toString(), v.toString()])).toEqual([
      ['x-code', 'E'],
    ]);
  });
});

describe('the partitioner', () => {
  it('returns the partition kafkajs (and Java) pick for the same key', () => {
    const { partitioner } = producerOptions({ brokers: ['a:1'], clientId: 'x' });
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitions = 12;
    const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    const keys = Array.from({ length: 500 }, (_, i) => `ride-${i}-${(i * 7919).toString(36)}`);
    const ours = keys.map((k) => partitioner({ topic: 't', key: Buffer.from(k) }, Buffer.from(k)) % partitions);
    const theirs = keys.map((k) => kafkajs({ topic: 't', partitionMetadata, message: { key: k, value: null } }));
    expect(ours).toEqual(theirs);
  });
});
