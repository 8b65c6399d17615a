import {
  PREDICTION_KINDS,
  predictionSchema,
  type Prediction,
  type PredictionKind,
  type RideEvent,
  type RideStarted,
} from '@ridestream/features';
import { loadEnvConfig, type Logger } from '@ridestream/runtime';
import { createKafkaConsumerService, kafkaConsumerEnvSchema, type KafkaConsumerService } from '@ridestream/kafka';
import { loadServingModels } from '@ridestream/consumer';
import { modelSourceEnvSchema } from '@ridestream/model';
import type { Scorer } from '@ridestream/stream-core';
import { brokers, testLogger, unique } from '@ridestream/testing';
import { cleanTrips, readTlcFile, rideTimeline, type CleanRide } from '@ridestream/tlc';
import type { Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { kafkaClientEnv } from './support/kafka-client';

export const modelPath = (kind: PredictionKind) => new URL(`../../models/${kind}/model.onnx`, import.meta.url).pathname;
const TLC_2024_01 = new URL('../../data/tlc/green_tripdata_2024-01.parquet', import.meta.url).pathname;

/** The first `n` contract-valid rides of January 2024, each as its three v2 events. */
export async function realCleanRides(n: number, prefix = unique('ride').slice(0, 13)): Promise<CleanRide[]> {
  const { rides } = cleanTrips(await readTlcFile(TLC_2024_01, { limit: Math.ceil(n * 1.1) + 100 }), 'none', prefix);
  if (rides.length < n) throw new Error(`only ${rides.length} valid rides in the sample`);
  return rides.slice(0, n);
}

/** The `ride.started` events of `n` real rides (what the backend publishes at pickup; the duration consumer scores). */
export async function realRides(n: number, prefix?: string): Promise<RideStarted[]> {
  return (await realCleanRides(n, prefix)).map((r) => r.started);
}

/** All the events of `n` real rides, on the ride's clock (pickups and drop-offs interleaved), as replay sends them. */
export async function realRideEvents(n: number, prefix?: string): Promise<RideEvent[]> {
  return [...rideTimeline(await realCleanRides(n, prefix))];
}

export interface ConsumerUnderTest {
  readonly service: KafkaConsumerService;
  scored(): Promise<number>;
  /** Valid events of another type, by type (`ridestream_skipped_total`). */
  skipped(): Promise<Record<string, number>>;
}

/**
 * A consumer service as the app composes it, on test topics, with its ops server on a free port. On the shared
 * broker unless `env` names another KAFKA_BROKERS; `logger` lets a test read what the service logged.
 */
export async function startConsumer(
  kind: PredictionKind,
  env: Record<string, string>,
  logger: Logger = testLogger(),
  /** Scores with this instead of the app's MODEL_URI/MODEL_PATH path (a test wrapping the real model). */
  scorerOverride?: Scorer,
): Promise<ConsumerUnderTest> {
  const config = loadEnvConfig(
    kafkaConsumerEnvSchema({
      group: unique(`${kind}-consumer`),
      outputTopic: 'unused',
      modelPath: modelPath(kind),
      httpPort: 0,
    }).extend(modelSourceEnvSchema.shape),
    { KAFKA_BROKERS: brokers().join(','), HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', ...kafkaClientEnv(), ...env },
  );
  // The app's own path from MODEL_URI / MODEL_PATH (and SHADOW_MODEL_URI) to scorers.
  const { scorer, shadow, registerMetrics } = scorerOverride
    ? { scorer: scorerOverride, shadow: undefined, registerMetrics: () => {} }
    : await loadServingModels(kind, config, logger);
  const service = createKafkaConsumerService({ config, scorer, shadow, logger });
  registerMetrics(service.registry);
  try {
    await service.start();
  } catch (err) {
    await service.stop(); // releases the scorer and whatever did connect
    throw err;
  }
  return {
    service,
    scored: () => metricValue(service.registry, 'ridestream_records_total', { outcome: 'scored' }),
    skipped: () => skippedByType(service.registry),
  };
}

/**
 * The value of a metric on a service's registry (what its `/metrics` serves), summed over the series whose labels
 * include `labels`; 0 before the first increment.
 */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** A consumer's `ridestream_skipped_total`: valid events of another type, by type. */
export async function skippedByType(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('ridestream_skipped_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.type), v.value]));
}

/** Parses and validates prediction messages against the published contract. */
export function predictionsOf(messages: readonly KafkaMessage[], kind: PredictionKind): Prediction[] {
  return messages.map((m) => {
    const p = predictionSchema.parse(JSON.parse(String(m.value)));
    if (p.kind !== kind || p.unit !== PREDICTION_KINDS[kind])
      throw new Error(`expected a ${kind} prediction, got ${p.kind}`);
    return p;
  });
}

/** Ride id -> how many predictions it got. */
export function countByRide(predictions: readonly Prediction[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of predictions) counts.set(p.rideId, (counts.get(p.rideId) ?? 0) + 1);
  return counts;
}

/** Sends in requests of 500: one request per partition must stay under the broker's 1 MiB message.max.bytes. */
export async function produceAll(producer: Producer, topic: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, messages: messages.slice(i, i + 500) });
}

/** Puts the rides on `topic` keyed by ride id, as the producer does, with an idempotent producer of its own. */
export async function produceRides(kafka: Kafka, topic: string, rides: readonly RideStarted[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await produceAll(
      producer,
      topic,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
  } finally {
    await producer.disconnect();
  }
}
