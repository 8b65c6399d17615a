import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisEnv } from './config';

export interface AwsConnection {
  readonly region: string;
  /** Omit for the regional AWS endpoint. */
  readonly endpoint?: string;
  /** Omit to use the standard AWS credential chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Per-request socket timeout; a hung local server must not hang a consumer forever. */
  readonly requestTimeoutMs?: number;
}

/** Local servers accept any signature; the SDK still needs something to sign with. */
const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function clientConfig(c: AwsConnection) {
  return {
    region: c.region,
    endpoint: c.endpoint,
    credentials: c.credentials,
    // HTTP/1.1: the SDK's Kinesis client defaults to HTTP/2, which kinesalite and other local servers answer with
    // "Protocol error". Keep-alive keeps the many small GetRecords calls off the TCP handshake path.
    requestHandler: new NodeHttpHandler({
      requestTimeout: c.requestTimeoutMs ?? 30_000,
      connectionTimeout: 5_000,
      httpAgent: { keepAlive: true, maxSockets: 64 },
    }),
    // Our own loops retry with backoff and know which failures to retry; the SDK's 3 attempts stay as a first line.
    maxAttempts: 3,
  };
}

/**
 * A Kinesis client that works against AWS and local servers alike.
 *
 * @example
 * const kinesis = createKinesisClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4567' });
 */
export function createKinesisClient(c: AwsConnection): KinesisClient {
  return new KinesisClient(clientConfig(c));
}

/** The DynamoDB client for the lease table, with the same transport choices. */
export function createDynamoClient(c: AwsConnection): DynamoDBClient {
  return new DynamoDBClient(clientConfig(c));
}

/** Maps validated env onto the two connections (Kinesis and the lease table's DynamoDB). */
export function awsConnectionsFromEnv(env: KinesisEnv): { kinesis: AwsConnection; dynamodb: AwsConnection } {
  const explicit =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  const forEndpoint = (endpoint: string | undefined): AwsConnection => ({
    region: env.AWS_REGION,
    endpoint,
    credentials: explicit ?? (endpoint ? DUMMY_CREDENTIALS : undefined),
  });
  return { kinesis: forEndpoint(env.KINESIS_ENDPOINT), dynamodb: forEndpoint(env.DYNAMODB_ENDPOINT) };
}
