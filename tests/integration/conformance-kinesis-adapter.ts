/**
 * Kinesis side of the integration tests: the local Kinesis + DynamoDB per test file, consumer services as the app
 * composes them (fresh application name = fresh lease table per test), and the conformance adapter.
 */
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { predictionSchema, type Prediction, type PredictionKind } from '@ridestream/features';
import {
  createDynamoClient,
  createKinesisConsumerService,
  createKinesisPublisher,
  kinesisServiceEnvSchema,
  leaseTable,
  parseDeadLetterEnvelope,
  runKinesisConsumer,
  type KinesisConsumer,
  type KinesisConsumerService,
  type KinesisEventRecord,
  type LeaseTable,
} from '@ridestream/kinesis';
import {
  collectStream,
  ensureKinesis,
  freshStreams,
  localAwsEnv,
  streamClient,
  type EnsuredKinesis,
} from '@ridestream/kinesis-tool';
import type { Model } from '@ridestream/model';
import { loadEnvConfig, silentLogger } from '@ridestream/runtime';
import { createConsumerMetrics, DLQ_HEADERS, modelScorer } from '@ridestream/stream-core';
import { loadScorer } from '@ridestream/stream-core/scoring';
import { Registry } from 'prom-client';
import { afterAll, beforeAll } from 'vitest';
import { testModelPath, type ConformanceAdapter, type Streams } from './conformance';
import { skippedByType } from './helpers';

export interface LocalKinesis {
  endpoints(): EnsuredKinesis;
  client(): KinesisClient;
}

/** Starts the local Kinesis for this test file (or uses KINESIS_ENDPOINT) and stops it afterwards. */
export function useLocalKinesis(): LocalKinesis {
  let k: EnsuredKinesis | undefined;
  let client: KinesisClient | undefined;
  beforeAll(async () => {
    k = await ensureKinesis();
    client = streamClient(k);
  });
  afterAll(async () => {
    client?.destroy();
    await k?.stop();
  });
  return {
    endpoints: () => k!,
    client: () => client!,
  };
}

export interface KinesisConsumerUnderTest {
  readonly service: KinesisConsumerService;
  scored(): Promise<number>;
  skipped(): Promise<Record<string, number>>;
}

/** A Kinesis consumer service as the app composes it, with short lease timings and its ops server on a free port. */
export async function startKinesisConsumer(
  kind: PredictionKind,
  endpoints: EnsuredKinesis,
  env: Record<string, string>,
): Promise<KinesisConsumerUnderTest> {
  const config = loadEnvConfig(
    kinesisServiceEnvSchema({
      application: `${kind}-consumer`,
      outputStream: 'unused',
      modelPath: testModelPath(kind),
      httpPort: 0,
    }),
    {
      ...localAwsEnv(endpoints),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CREATE_RESOURCES: 'true',
      LEASE_DURATION_MS: '3000',
      SHARD_SYNC_MS: '1000',
      IDLE_POLL_MS: '200',
      ...env,
    },
  );
  const scorer = await loadScorer({
    kind,
    modelPath: config.MODEL_PATH,
    worker: config.SCORING_WORKER,
    workerMinRecords: config.SCORING_WORKER_MIN_RECORDS,
  });
  const service = createKinesisConsumerService({ config, scorer, logger: silentLogger() });
  await service.start();
  return {
    service,
    async scored() {
      const metric = await service.registry.getSingleMetric('ridestream_records_total')?.get();
      return metric?.values.find((v) => v.labels.outcome === 'scored')?.value ?? 0;
    },
    skipped: () => skippedByType(service.registry),
  };
}

/** Writes records with the project's own publisher (PutRecords, failed records retried). */
export async function putAll(
  client: KinesisClient,
  stream: string,
  records: readonly { key: string; value: Buffer | string }[],
): Promise<void> {
  const publisher = createKinesisPublisher(client, { logger: silentLogger() });
  await publisher.send(records.map((r) => ({ stream, key: r.key, value: r.value })));
}

export const parsePrediction = (data: Buffer, kind: PredictionKind): Prediction => {
  const p = predictionSchema.parse(JSON.parse(data.toString('utf8')));
  if (p.kind !== kind) throw new Error(`expected a ${kind} prediction, got ${p.kind}`);
  return p;
};

export function kinesisAdapter(local: LocalKinesis): ConformanceAdapter {
  return {
    name: 'kinesis',
    modelPath: testModelPath,
    async freshStreams(shards) {
      const [input, output, dlq] = await freshStreams(local.client(), ['rides', 'preds', 'dlq'], shards);
      return { input, output, dlq };
    },
    publish: (stream, records) => putAll(local.client(), stream, records),
    async collectPredictions(stream, kind) {
      const c = collectStream(local.client(), stream);
      return { items: () => c.records.map((r) => parsePrediction(r.data, kind)), stop: () => c.stop() };
    },
    async collectDeadLetters(stream) {
      const c = collectStream(local.client(), stream);
      return {
        items: () =>
          c.records.map((r) => {
            const d = parseDeadLetterEnvelope(r.data);
            return {
              code: d.headers[DLQ_HEADERS.code] ?? '',
              sourceStream: d.headers[DLQ_HEADERS.sourceStream] ?? '',
              sourcePosition: d.headers[DLQ_HEADERS.sourcePosition] ?? '',
              consumer: d.headers[DLQ_HEADERS.consumer] ?? '',
              original: d.original,
            };
          }),
        stop: () => c.stop(),
      };
    },
    async startConsumer(kind, streams: Streams, group, options) {
      const c = await startKinesisConsumer(kind, local.endpoints(), {
        INPUT_STREAM: streams.input,
        OUTPUT_STREAM: streams.output,
        DEAD_LETTER_STREAM: streams.dlq,
        APPLICATION_NAME: group,
        BATCH_SIZE: String(options.batchSize),
      });
      return { stop: () => c.service.stop(), scored: () => c.scored(), skipped: () => c.skipped() };
    },
  };
}

export interface WiredConsumer {
  readonly consumer: KinesisConsumer;
  readonly leases: LeaseTable;
  /** Output-stream partition keys (ride ids) in the order the consumer published them. */
  readonly published: string[];
  stop(): Promise<void>;
}

/**
 * `runKinesisConsumer` wired by hand on a given Kinesis client (so a test can put fault-injecting middleware on
 * it), with the real lease table, publisher and model: what the service does, minus the ops server.
 */
export async function wireConsumer(
  local: LocalKinesis,
  o: {
    client?: KinesisClient;
    streams: Streams;
    application: string;
    model: Model;
    leaseDurationMs?: number;
    chunkSize?: number;
    maxRecordsPerGet?: number;
  },
): Promise<WiredConsumer> {
  const client = o.client ?? local.client();
  const dynamo = createDynamoClient({
    region: 'us-east-1',
    endpoint: local.endpoints().dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const leases = leaseTable(dynamo, `${o.application}-leases`, o.streams.input);
  await leases.ensure();
  const real = createKinesisPublisher(client, { logger: silentLogger() });
  const published: string[] = [];
  const consumer = await runKinesisConsumer({
    kinesis: client,
    leases,
    publisher: {
      ...real,
      send: (messages) => {
        published.push(...messages.filter((m) => m.stream === o.streams.output).map((m) => m.key));
        return real.send(messages);
      },
    },
    scorer: modelScorer('duration', o.model),
    logger: silentLogger(),
    metrics: createConsumerMetrics(new Registry()),
    inputStream: o.streams.input,
    outputStream: o.streams.output,
    deadLetterStream: o.streams.dlq,
    consumerName: o.application,
    leaseDurationMs: o.leaseDurationMs ?? 2000,
    shardSyncMs: 500,
    idlePollMs: 200,
    readRetry: { retries: 10, initialMs: 50, maxMs: 1000 },
    leaseRetry: { retries: 10, initialMs: 50, maxMs: 1000 },
    maxRecordsPerGet: o.maxRecordsPerGet ?? 1000,
    chunkSize: o.chunkSize ?? 250,
    initialPosition: 'TRIM_HORIZON',
  });
  return {
    consumer,
    leases,
    published,
    stop: async () => {
      await consumer.stop();
      dynamo.destroy();
    },
  };
}

/** What the event source mapping would hand the function for the first shard of `stream`. */
export async function eventFromStream(client: KinesisClient, stream: string): Promise<KinesisEventRecord[]> {
  const { StreamDescriptionSummary: summary } = await client.send(
    new DescribeStreamSummaryCommand({ StreamName: stream }),
  );
  const shardId = 'shardId-000000000000';
  const it = await client.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const out = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  return (out.Records ?? []).map((r) => ({
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.PartitionKey!,
      sequenceNumber: r.SequenceNumber!,
      data: Buffer.from(r.Data!).toString('base64'),
      approximateArrivalTimestamp: r.ApproximateArrivalTimestamp!.getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${r.SequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/tip-lambda',
    awsRegion: 'us-east-1',
    eventSourceARN: summary!.StreamARN!,
  }));
}
