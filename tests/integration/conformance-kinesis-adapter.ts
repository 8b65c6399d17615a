/**
 * Kinesis side of the integration tests: the local Kinesis + DynamoDB per test file, consumer services as the app
 * composes them (fresh application name = fresh lease table per test), and the conformance adapter.
 */
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { predictionSchema, type Prediction, type PredictionKind } from '@ridestream/features';
import {
  createKinesisConsumerService,
  createKinesisPublisher,
  kinesisServiceEnvSchema,
  parseDeadLetterEnvelope,
  type KinesisConsumerService,
} from '@ridestream/kinesis';
import {
  collectStream,
  ensureKinesis,
  freshStreams,
  localAwsEnv,
  streamClient,
  type EnsuredKinesis,
} from '@ridestream/kinesis-tool';
import { createModel } from '@ridestream/model';
import { loadEnvConfig, silentLogger } from '@ridestream/runtime';
import { DLQ_HEADERS } from '@ridestream/stream-consumer';
import { afterAll, beforeAll } from 'vitest';
import type { ConformanceAdapter, Streams } from './conformance';
import { modelPath } from './helpers';

/** The shipped model, or the one under RIDESTREAM_TEST_MODELS/<kind>/ when that is set (a candidate model). */
export const testModelPath = (kind: PredictionKind) => {
  const dir = process.env['RIDESTREAM_TEST_MODELS']?.trim();
  return dir ? join(dir, kind, 'model.onnx') : modelPath(kind);
};

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
  const model = await createModel({ path: config.MODEL_PATH });
  const service = createKinesisConsumerService({ kind, config, model, logger: silentLogger() });
  await service.start();
  return {
    service,
    async scored() {
      const metric = await service.registry.getSingleMetric('ridestream_records_total')?.get();
      return metric?.values.find((v) => v.labels.outcome === 'scored')?.value ?? 0;
    },
  };
}

/** Writes records with the project's own publisher (PutRecords, failed records retried). */
export async function putAll(
  client: KinesisClient,
  stream: string,
  records: readonly { key: string; value: Buffer | string }[],
): Promise<void> {
  const publisher = createKinesisPublisher(client, { logger: silentLogger() });
  await publisher.send(records.map((r) => ({ topic: stream, key: r.key, value: r.value })));
}

export const parsePrediction = (data: Buffer, kind: PredictionKind): Prediction => {
  const p = predictionSchema.parse(JSON.parse(data.toString('utf8')));
  if (p.kind !== kind) throw new Error(`expected a ${kind} prediction, got ${p.kind}`);
  return p;
};

export function kinesisAdapter(local: LocalKinesis): ConformanceAdapter {
  return {
    name: 'kinesis',
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
              sourceStream: d.headers[DLQ_HEADERS.sourceTopic] ?? '',
              sourcePosition: d.headers[DLQ_HEADERS.sourceOffset] ?? '',
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
      return { stop: () => c.service.stop(), scored: () => c.scored() };
    },
  };
}
