import { envSchemas, retryEnvSchema, serviceEnvSchema } from '@ridestream/runtime';
import { scoringEnvSchema } from '@ridestream/stream-core';
import { z } from 'zod';

/**
 * The AWS connection fragment every Kinesis-speaking app merges into its schema. With no endpoint the SDK's
 * regional endpoint is used; credentials come from the standard AWS chain (env, profile, container or instance
 * role, web identity) unless both keys are given here. A local endpoint with no keys gets dummy credentials,
 * because kinesalite/dynalite accept any signature but the SDK refuses to sign without one.
 */
export const kinesisEnvSchema = z.object({
  KINESIS_ENDPOINT: z
    .url()
    .optional()
    .describe('Kinesis endpoint (a local server in dev); the regional endpoint when unset'),
  /** The lease table's DynamoDB; defaults to the regional endpoint like KINESIS_ENDPOINT. */
  DYNAMODB_ENDPOINT: z
    .url()
    .optional()
    .describe('DynamoDB endpoint of the lease table; the regional endpoint when unset'),
  AWS_REGION: z
    .string()
    .min(1)
    .default('us-east-1')
    .describe('AWS region: of the S3 model source, and on Kinesis of the streams and the lease table'),
  AWS_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe(
      'with AWS_SECRET_ACCESS_KEY: static credentials; else the standard AWS chain (role, profile, web identity)',
    ),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('secret of AWS_ACCESS_KEY_ID (redacted from logs)'),
  AWS_SESSION_TOKEN: z.string().min(1).optional().describe('session token of temporary credentials'),
});
export type KinesisEnv = z.infer<typeof kinesisEnvSchema>;

/** What a long-running Kinesis consumer reads, writes and how it shares shards; merged per app with its defaults. */
export function kinesisConsumerEnvSchema(d: { readonly application: string; readonly outputStream: string }) {
  return kinesisEnvSchema.extend({
    INPUT_STREAM: z.string().min(1).default('rides').describe('stream of ride events'),
    OUTPUT_STREAM: z.string().min(1).default(d.outputStream).describe('stream the predictions go to'),
    DEAD_LETTER_STREAM: z
      .string()
      .min(1)
      .default('rides.dlq')
      .describe('stream of records that cannot be scored, with the reason'),
    /** The KCL "application name": instances with the same name share shards through one lease table. */
    APPLICATION_NAME: z
      .string()
      .min(1)
      .default(d.application)
      .describe('instances with the same name share the shards through one lease table'),
    /** Defaults to `<APPLICATION_NAME>-leases`. */
    LEASE_TABLE: z
      .string()
      .min(3)
      .max(255)
      .optional()
      .describe('DynamoDB lease table; `<APPLICATION_NAME>-leases` when unset'),
    /** Unique per instance; defaults to hostname + pid + random. */
    WORKER_ID: z.string().min(1).optional().describe('unique per instance; hostname + pid + random when unset'),
    /** A lease not renewed for this long is taken over by another instance (KCL failoverTimeMillis). */
    LEASE_DURATION_MS: envSchemas.positiveInt
      .min(1000)
      .default(10_000)
      .describe('a lease not renewed for this long is taken over by another instance'),
    /** How often the shard list is re-read to find children after a reshard. */
    SHARD_SYNC_MS: envSchemas.positiveInt
      .default(30_000)
      .describe('how often the shard list is re-read (finds children after a reshard)'),
    /** Pause when a shard returned nothing (KCL idleTimeBetweenReadsInMillis); never below the 200 ms call limit. */
    IDLE_POLL_MS: envSchemas.positiveInt.min(200).default(1000).describe('pause after a shard returned nothing'),
    MAX_RECORDS_PER_GET: envSchemas.positiveInt.max(10_000).default(1000).describe('records per GetRecords call'),
    INITIAL_POSITION: z
      .enum(['TRIM_HORIZON', 'LATEST'])
      .default('TRIM_HORIZON')
      .describe('where a shard without a checkpoint is read from'),
    /** Create the streams and the lease table at startup when missing (dev); off where infrastructure is managed. */
    CREATE_RESOURCES: envSchemas.flag
      .default(false)
      .describe('create the streams and the lease table at startup when missing (dev)'),
    // Failed GetRecords in a row, and re-reads in a row that checkpoint nothing: past the bound the service fails.
    ...retryEnvSchema('SHARD_READ', { retries: 10, initialMs: 200, maxMs: 10_000 }).shape,
    // Failed lease rounds (DynamoDB, ListShards) in a row: past the bound the service fails.
    ...retryEnvSchema('LEASE', { retries: 10, initialMs: 100, maxMs: 2_000 }).shape,
  });
}
export type KinesisConsumerEnv = z.infer<ReturnType<typeof kinesisConsumerEnvSchema>>;

/**
 * The whole environment of a consumer app on Kinesis (`TRANSPORT=kinesis`): the consumer fragment above, service
 * basics, and the model and ops port, with the same names and defaults as the Kafka consumer's `consumerEnvSchema`.
 */
export function kinesisServiceEnvSchema(d: {
  readonly application: string;
  readonly outputStream: string;
  readonly modelPath: string;
  readonly httpPort: number;
}) {
  return kinesisConsumerEnvSchema(d)
    .extend(serviceEnvSchema.shape)
    .extend(scoringEnvSchema(d.modelPath).shape)
    .extend({
      /** Where a shadow (challenger) model's predictions go, with SHADOW_MODEL_URI; default `<OUTPUT_STREAM>.shadow`. */
      SHADOW_OUTPUT_STREAM: z
        .string()
        .min(1)
        .optional()
        .describe(
          "stream of the shadow model's predictions (with SHADOW_MODEL_URI); `<OUTPUT_STREAM>.shadow` when unset",
        ),
      HTTP_HOST: z.string().min(1).default('0.0.0.0').describe('address of `/healthz`, `/readyz`, `/metrics`'),
      HTTP_PORT: envSchemas.port.default(d.httpPort).describe('port of `/healthz`, `/readyz`, `/metrics`'),
    });
}
export type KinesisServiceEnv = z.infer<ReturnType<typeof kinesisServiceEnvSchema>>;
