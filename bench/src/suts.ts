/**
 * The systems under test on the stream: each starts as its own process(es) on given topics, the way it runs in
 * production (bundled apps for ridestream), and is observed only from outside (topics, /proc, /metrics).
 */
import { bundlePath, type Entry } from './bundle';
import { PROFILE_DIR, PYTHON_DIR, modelPath } from './paths';
import { freePort, spawnProc, waitReady, type Proc } from './procs';

export const STREAM_SUTS = [
  'passthrough',
  'passthrough-platformatic',
  'duration',
  'duration-inline',
  'duration-eos',
  'tip',
  'both',
  'baseline',
  'python-record',
  'python-batch',
] as const;
export type SutName = (typeof STREAM_SUTS)[number];

export const SUT_LABELS: Record<SutName, string> = {
  passthrough: 'pass-through (kafkajs, our settings, no scoring)',
  'passthrough-platformatic': 'pass-through on @platformatic/kafka 1.35.0 (same loop and settings)',
  duration: 'ridestream duration-consumer (XGBoost, 14 features)',
  'duration-inline': 'duration-consumer, scoring on the Kafka thread (SCORING_WORKER=false)',
  'duration-eos': 'duration-consumer, exactly-once (EXACTLY_ONCE=true, transactions)',
  tip: 'ridestream tip-consumer (XGBoost, 14 features)',
  both: 'ridestream duration + tip consumers together',
  baseline: 'ridestream consumer serving the course linear baseline (ONNX)',
  'python-record': 'Python peer, one record at a time (course logic)',
  'python-batch': 'Python peer, micro-batched (500)',
};

/** Output topics a SUT writes (both consumers: one each). */
export const outputCount = (name: SutName) => (name === 'both' ? 2 : 1);

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
  const flags = o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const proc = spawnProc(name, process.execPath, [...flags, bundlePath(entry)], {
    KAFKA_BROKERS: o.brokers,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'info',
    BATCH_SIZE: String(o.batchSize),
    ...env,
    ...o.consumerEnv,
  });
  return { proc, port };
}

function startPython(mode: 'record' | 'batch', name: string, o: SutOptions, t: SutTopics): Proc {
  return spawnProc(name, `${PYTHON_DIR}/.venv/bin/python`, [
    `${PYTHON_DIR}/peer.py`,
    '--brokers',
    o.brokers,
    '--input',
    t.input,
    '--output',
    t.outputs[0]!,
    '--group',
    `${name}-group`,
    '--model',
    o.pythonModel,
    '--mode',
    mode,
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
      case 'python-batch': {
        const mode = name === 'python-record' ? 'record' : 'batch';
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
