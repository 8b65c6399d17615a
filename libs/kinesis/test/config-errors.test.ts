import { isRetriable, loadEnvConfig } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import {
  awsConnectionsFromEnv,
  classifyAwsError,
  kinesisEnvSchema,
  kinesisServiceEnvSchema,
  KinesisTransportError,
} from '../src/index';

describe('kinesisEnvSchema', () => {
  it('returns the regional endpoint and the standard credential chain when nothing is set', () => {
    const env = loadEnvConfig(kinesisEnvSchema, {});
    expect(awsConnectionsFromEnv(env).kinesis).toEqual({
      region: 'us-east-1',
      endpoint: undefined,
      credentials: undefined,
    });
  });

  it('returns dummy credentials for a local endpoint, and explicit keys when given', () => {
    const local = awsConnectionsFromEnv(
      loadEnvConfig(kinesisEnvSchema, { KINESIS_ENDPOINT: 'http://127.0.0.1:4567', DYNAMODB_ENDPOINT: '' }),
    );
    expect(local.kinesis.credentials).toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });
    expect(local.dynamodb).toEqual({ region: 'us-east-1', endpoint: undefined, credentials: undefined });
    const keyed = awsConnectionsFromEnv(
      loadEnvConfig(kinesisEnvSchema, { AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_REGION: 'eu-west-1' }),
    );
    expect(keyed.kinesis).toMatchObject({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'A', secretAccessKey: 'S' },
    });
  });

  it('rejects a malformed endpoint and a lease duration under a second, naming each variable', () => {
    const schema = kinesisServiceEnvSchema({ application: 'a', outputStream: 'o', modelPath: 'm', httpPort: 0 });
    expect(() => loadEnvConfig(schema, { KINESIS_ENDPOINT: 'not a url', LEASE_DURATION_MS: '10' })).toThrow(
      /KINESIS_ENDPOINT.*LEASE_DURATION_MS|LEASE_DURATION_MS.*KINESIS_ENDPOINT/,
    );
  });
});

describe('classifyAwsError', () => {
  const isRetriableAwsError = (e: unknown) => isRetriable(e, classifyAwsError);
  const aws = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });
  it.each([
    ['throttling', aws('ProvisionedThroughputExceededException'), true],
    ['a 503', aws('Whatever', { $metadata: { httpStatusCode: 503 } }), true],
    ['a reset socket', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true],
    ['the SDK retryable marker', aws('X', { $retryable: {} }), true],
    ['a missing stream', aws('ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } }), false],
    ['our own non-retriable error', new KinesisTransportError('RECORD_TOO_LARGE', 'x'), false],
    ['not an error (unknown: retried, bounded)', 'boom', true],
    ['a plain error (unknown: retried, bounded)', new Error('bug'), true],
    ['an access refusal', aws('AccessDeniedException', { $fault: 'client' }), false],
  ])('returns the right answer for %s', (_name, error, expected) => {
    expect(isRetriableAwsError(error)).toBe(expected);
  });
});
