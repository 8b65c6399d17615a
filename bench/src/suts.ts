/**
 * The systems under test on the stream: each starts as its own process(es) on given topics, the way it runs in
 * production (bundled apps for ridestream), and is observed only from outside (topics, /proc, /metrics).
 */
import type { RideEvent } from '@ridestream/features';
import { bundlePath, type Entry } from './bundle';
import { PROFILE_DIR, PYTHON_DIR, modelPath } from './paths';
import { freePort, spawnProc, waitReady, type Proc } from './procs';

export const STREAM_SUTS = [
  'passthrough',
  'passthrough-platformatic',
  'duration',
  'duration-inline',
  'duration-eos',
  'duration-shadow',
  'duration-platformatic',
  'tip',
  'both',
  'baseline',
  'python-record',
  'python-batch',
  'python-onnx',
] as const;
export type SutName = (typeof STREAM_SUTS)[number];

export const SUT_LABELS: Record<SutName, string> = {
  passthrough: 'pass-through (kafkajs, our settings, no scoring)',
  'passthrough-platformatic': 'pass-through on @platformatic/kafka 1.35.0 (same loop and settings)',
  duration: 'ridestream duration-consumer (XGBoost, 14 features)',
  'duration-inline': 'duration-consumer, scoring on the Kafka thread (SCORING_WORKER=false)',
  'duration-eos': 'duration-consumer, exactly-once (EXACTLY_ONCE=true, transactions)',
  'duration-shadow': 'duration-consumer with a shadow model (SHADOW_MODEL_URI = the same model, to <output>.shadow)',
  'duration-platformatic': 'duration-consumer on @platformatic/kafka (KAFKA_CLIENT=platformatic)',
  tip: 'ridestream tip-consumer (XGBoost, 14 features)',
  both: 'ridestream duration + tip consumers together',
  baseline: 'ridestream consumer serving the course linear baseline (ONNX)',
  'python-record': 'Python peer, one record at a time (course logic)',
  'python-batch': 'Python peer, micro-batched (500)',
  'python-onnx': 'Python peer on the same ONNX duration model (onnxruntime, pandas features, micro-batched 500)',
};

/** What one output topic of a system holds: predictions answering one event type, or every event forwarded. */
export type OutputOf = RideEvent['type'] | 'every event';

/**
 * Per output topic (both consumers: one each), the records it gets from the input. The input is each ride's three
 * events (started, completed, paid): a scorer writes one prediction per ride (for the event it scores), the
 * pass-through one record per event.
 */
export const SUT_OUTPUTS: Record<SutName, readonly OutputOf[]> = {
  passthrough: ['every event'],
  'passthrough-platformatic': ['every event'],
  duration: ['ride.started'],
  'duration-inline': ['ride.started'],
  'duration-eos': ['ride.started'],
  'duration-shadow': ['ride.started'],
  'duration-platformatic': ['ride.started'],
  tip: ['ride.completed'],
  both: ['ride.started', 'ride.completed'],
  baseline: ['ride.started'],
  'python-record': ['ride.started'],
  'python-batch': ['ride.started'],
  'python-onnx': ['ride.started'],
};

/** Events of one ride (contract v2): `ride.started`, `ride.completed`, `ride.paid`. */
export const EVENTS_PER_RIDE = 3;

/** Output topics a SUT writes (both consumers: one each). */
export const outputCount = (name: SutName) => SUT_OUTPUTS[name].length;

/** Records one ride puts on each of the SUT's output topics. */
export const recordsPerRide = (name: SutName) => (SUT_OUTPUTS[name][0] === 'every event' ? EVENTS_PER_RIDE : 1);

/** Topics a SUT writes besides its outputs and dead letters, which must exist (the broker creates none). */
export const extraTopics = (name: SutName, outputs: readonly string[]): string[] =>
  name === 'duration-shadow' ? [`${outputs[0]!}.shadow`] : [];

export interface SutMember {
  readonly proc: Proc;
  /** Ops port of a Node process, for /metrics (event-loop delay); none for the Python peer. */
  readonly metricsPort?: number;
}

export interface RunningSut {
  readonly name: SutName;
  readonly members: readonly SutMember[];
  stop(): Promise<void>;
}

export interface SutTopics {
  readonly input: string;
  /** One per `outputCount(name)`. */
  readonly outputs: readonly string[];
  readonly deadLetters: string;
}

export interface SutOptions {
  readonly brokers: string;
  readonly tag: string;
  readonly batchSize: number;
  readonly pythonModel: string;
  /** Start Node children with --cpu-prof into PROFILE_DIR. */
  readonly cpuProf?: boolean;
  /** Extra environment for the Node consumers and the pass-through (experiments: PARTITIONS_CONCURRENTLY=3). */
  readonly consumerEnv?: Readonly<Record<string, string>>;
}

async function startNode(
  entry: Entry,
  name: string,
  o: SutOptions,
  env: Record<string, string>,
): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  // One directory per process, with Node's own file names (they carry the thread id): a fixed name would make the
  // scoring worker's profile and the main thread's overwrite each other.
  const flags = o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${name}`] : [];
  const proc = spawnProc(name, process.execPath, [...flags, bundlePath(entry)], {
    KAFKA_BROKERS: o.brokers,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'info',
    BATCH_SIZE: String(o.batchSize),
    // As the consumers' image sets it (deploy/docker/consumer.Dockerfile): glibc returns what the scoring worker frees.
    MALLOC_TRIM_THRESHOLD_: '65536',
    ...env,
    ...o.consumerEnv,
  });
  return { proc, port };
}

function startPython(mode: 'record' | 'batch' | 'onnx', name: string, o: SutOptions, t: SutTopics): Proc {
  const peer =
    mode === 'onnx'
      ? [`${PYTHON_DIR}/peer_onnx.py`, '--model', modelPath('duration')]
      : [`${PYTHON_DIR}/peer.py`, '--model', o.pythonModel, '--mode', mode];
  return spawnProc(name, `${PYTHON_DIR}/.venv/bin/python`, [
    ...peer,
    '--brokers',
    o.brokers,
    '--input',
    t.input,
    '--output',
    t.outputs[0]!,
    '--group',
    `${name}-group`,
    '--batch',
    String(o.batchSize),
    '--max-seconds',
    '900',
  ]);
}

export async function startSut(name: SutName, t: SutTopics, o: SutOptions): Promise<RunningSut> {
  const started: { proc: Proc; port?: number }[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.proc.stop()));
  };
  try {
    const consumer = async (entry: Entry, kind: string, output: string, extra: Record<string, string> = {}) => {
      const procName = `${name}-${kind}-${o.tag}`;
      const s = await startNode(entry, procName, o, {
        INPUT_TOPIC: t.input,
        OUTPUT_TOPIC: output,
        DEAD_LETTER_TOPIC: t.deadLetters,
        CONSUMER_GROUP: `${procName}-group`,
        ...extra,
      });
      started.push(s);
      return s;
    };
    switch (name) {
      case 'passthrough':
        await consumer('passthrough', 'passthrough', t.outputs[0]!);
        break;
      case 'passthrough-platformatic':
        await consumer('passthrough-platformatic', 'passthrough-platformatic', t.outputs[0]!);
        break;
      case 'duration':
        await consumer('duration-consumer', 'duration', t.outputs[0]!, { MODEL_PATH: modelPath('duration') });
        break;
      case 'duration-inline':
        await consumer('duration-consumer', 'duration', t.outputs[0]!, {
          MODEL_PATH: modelPath('duration'),
          SCORING_WORKER: 'false',
        });
        break;
      case 'duration-eos':
        await consumer('duration-consumer', 'duration', t.outputs[0]!, {
          MODEL_PATH: modelPath('duration'),
          EXACTLY_ONCE: 'true',
        });
        break;
      case 'duration-shadow':
        // The same model as the champion: the cost measured is the second scoring and its topic, not another graph.
        await consumer('duration-consumer', 'duration', t.outputs[0]!, {
          MODEL_PATH: modelPath('duration'),
          SHADOW_MODEL_URI: modelPath('duration'),
        });
        break;
      case 'duration-platformatic':
        await consumer('duration-consumer', 'duration', t.outputs[0]!, {
          MODEL_PATH: modelPath('duration'),
          KAFKA_CLIENT: 'platformatic',
        });
        break;
      case 'tip':
        await consumer('tip-consumer', 'tip', t.outputs[0]!, { MODEL_PATH: modelPath('tip') });
        break;
      case 'both':
        await consumer('duration-consumer', 'duration', t.outputs[0]!, { MODEL_PATH: modelPath('duration') });
        await consumer('tip-consumer', 'tip', t.outputs[1]!, { MODEL_PATH: modelPath('tip') });
        break;
      case 'baseline':
        await consumer('baseline-consumer', 'baseline', t.outputs[0]!, {
          MODEL_PATH: modelPath('duration-baseline'),
        });
        break;
      case 'python-record':
      case 'python-batch':
      case 'python-onnx': {
        const mode = name === 'python-record' ? 'record' : name === 'python-batch' ? 'batch' : 'onnx';
        started.push({ proc: startPython(mode, `${name}-${o.tag}`, o, t) });
        break;
      }
    }
    await Promise.all(
      started.map((s) =>
        s.port !== undefined
          ? waitReady(s.proc, s.port)
          : s.proc.waitForEvent((e) => e.event === 'assigned', 60_000).then(() => undefined),
      ),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { name, members: started.map((s) => ({ proc: s.proc, metricsPort: s.port })), stop };
}
