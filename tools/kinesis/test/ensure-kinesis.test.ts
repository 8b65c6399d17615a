import { describe, expect, it } from 'vitest';
import { ensureKinesis, localAwsEnv } from '../src/index';

describe('ensureKinesis', () => {
  it('returns the endpoint given in KINESIS_ENDPOINT and starts nothing', async () => {
    const k = await ensureKinesis({ env: { KINESIS_ENDPOINT: 'http://localstack:4566' } });
    expect(k).toMatchObject({
      kinesisEndpoint: 'http://localstack:4566',
      dynamodbEndpoint: 'http://localstack:4566',
      started: false,
    });
    await k.stop();
  });

  it('returns a separate DynamoDB when DYNAMODB_ENDPOINT is set too', async () => {
    const k = await ensureKinesis({ env: { KINESIS_ENDPOINT: 'http://k:1', DYNAMODB_ENDPOINT: 'http://d:2' } });
    expect(k.dynamodbEndpoint).toBe('http://d:2');
  });
});

describe('localAwsEnv', () => {
  it('returns the variables a service needs for local endpoints, with dummy credentials', () => {
    expect(localAwsEnv({ kinesisEndpoint: 'http://a:1', dynamodbEndpoint: 'http://b:2' })).toEqual({
      KINESIS_ENDPOINT: 'http://a:1',
      DYNAMODB_ENDPOINT: 'http://b:2',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });
});
