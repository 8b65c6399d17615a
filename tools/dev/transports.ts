/**
 * What `npm start` needs from a transport: the broker or local servers, the topics or streams, the variables that
 * point the three apps at it, and a reader of each prediction stream for the live view.
 */
import type { Prediction, PredictionKind } from '@ridestream/features';
import { createKafka, ensureTopics, subscribePredictions } from '@ridestream/kafka';
import { ensureKafka, stopKafka } from '@ridestream/kafka-tool';
import { ensureStreams, readKinesisPredictions } from '@ridestream/kinesis';
import { ensureKinesis, localAwsEnv, streamClient } from '@ridestream/kinesis-tool';
import { silentLogger, type Lifecycle } from '@ridestream/runtime';
import { randomUUID } from 'node:crypto';

export const TRANSPORTS = ['kafka', 'kinesis'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** The apps' default topic and stream names. */
export const STREAMS = {
  rides: 'rides',
  duration: 'ride-duration-predictions',
  tip: 'tip-predictions',
  dlq: 'rides.dlq',
  /** The model monitor's closed windows (Kafka only: the monitor does not run on Kinesis yet). */
  metrics: 'model-metrics',
} as const;

export interface DevTransport {
  readonly name: TransportName;
  /** Where it runs, for messages and the view's header: `Kafka 127.0.0.1:9092`. */
  readonly label: string;
  /** True when this run started the broker or servers (then `stop()` stops them). */
  readonly started: boolean;
  /** The variables that put the three apps on this transport. */
  readonly appEnv: Readonly<Record<string, string>>;
  /** Creates the rides, prediction and dead-letter topics or streams that are missing. */
  createStreams(): Promise<void>;
  /** Reads a prediction stream from its start; `onError` = the reader cannot go on. */
  subscribe(kind: PredictionKind, onPrediction: (p: Prediction) => void, onError: (err: unknown) => void): Lifecycle;
  /** Stops what this run started. */
  stop(): Promise<void>;
}

export interface TransportOptions {
  /** The local Kafka broker's directory (default `.cache/kafka`): another one runs a second local broker. */
  readonly kafkaDir?: string;
}

/** A real Kafka broker: the one in KAFKA_BROKERS, a running local one, or one started now. */
async function kafkaTransport(o: TransportOptions): Promise<DevTransport> {
  const kafkaTool = o.kafkaDir ? { cacheDir: o.kafkaDir } : {};
  const { brokers, started } = await ensureKafka(kafkaTool);
  const connection = { brokers: brokers.split(','), clientId: 'ridestream-start' };
  return {
    name: 'kafka',
    label: `Kafka ${brokers}`,
    started,
    appEnv: { TRANSPORT: 'kafka', KAFKA_BROKERS: brokers },
    async createStreams() {
      await ensureTopics(
        createKafka(connection, silentLogger()),
        Object.values(STREAMS).map((topic) => ({ topic, numPartitions: topic === STREAMS.metrics ? 1 : 3 })),
      );
    },
    subscribe: (kind, onPrediction) =>
      subscribePredictions({
        connection: { ...connection, clientId: `start-view-${kind}` },
        topic: STREAMS[kind],
        groupId: `start-view-${randomUUID()}`,
        // From the beginning, filtered by the caller to this run's rides: starting at "latest" could miss
        // predictions made before the view's group had its partitions.
        fromBeginning: true,
        logger: silentLogger(),
        onPrediction,
      }),
    stop: async () => {
      if (started) await stopKafka(kafkaTool);
    },
  };
}

/**
 * A local Kinesis + DynamoDB (kinesalite, dynalite, in a child process), or the one in KINESIS_ENDPOINT. The apps
 * get dummy credentials and CREATE_RESOURCES=true, so the consumers create their lease tables.
 */
async function kinesisTransport(): Promise<DevTransport> {
  const local = await ensureKinesis();
  const client = streamClient(local);
  return {
    name: 'kinesis',
    label: `Kinesis ${local.kinesisEndpoint}`,
    started: local.started,
    appEnv: { TRANSPORT: 'kinesis', ...localAwsEnv(local), CREATE_RESOURCES: 'true' },
    async createStreams() {
      await ensureStreams(client, [
        { stream: STREAMS.rides, shards: 4 },
        { stream: STREAMS.duration, shards: 2 },
        { stream: STREAMS.tip, shards: 2 },
        { stream: STREAMS.dlq, shards: 1 },
      ]);
    },
    subscribe: (kind, onPrediction, onError) =>
      readKinesisPredictions({ client, stream: STREAMS[kind], onPrediction, onError }),
    stop: async () => {
      client.destroy();
      await local.stop();
    },
  };
}

export function openTransport(name: TransportName, o: TransportOptions = {}): Promise<DevTransport> {
  return name === 'kinesis' ? kinesisTransport() : kafkaTransport(o);
}
