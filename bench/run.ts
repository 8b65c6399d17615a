/**
 * `npm run bench`: ridestream's benchmarks on the local real broker with real TLC rides (see bench/README.md).
 *
 *   npm run bench                          full run (~13 min on 2 cores)
 *   npm run bench -- --quick               smoke run (~3 min)
 *   npm run bench -- --sections stream --suts passthrough,duration --rounds 1
 *   npm run bench -- --profile             adds CPU-profiled drains (node --cpu-prof) of the Node consumers
 *
 * KAFKA_BROKERS=host:port uses that cluster instead of starting the local one.
 */
import { stopKafka } from '@ridestream/kafka-tool';
import { Command, InvalidArgumentError } from 'commander';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  benchKafka,
  createTopics,
  deleteTopics,
  uniqueName,
  withProducer,
  prefill,
  type BenchKafka,
} from './src/kafka';
import { say, round } from './src/log';
import { cpuPressure, machine, versions } from './src/machine';
import { PROFILE_DIR, TMP_DIR } from './src/paths';
import { summarizeProfile, type ProfileSummary } from './src/profile';
import { checkTargets, writeResults, type BenchResults } from './src/report';
import { eventPayloads, loadRides, meanBytes, monthTimeline, type StreamEvent } from './src/rides';
import { runKafkaTools, writeRidesFile } from './src/scenarios/kafka-tools';
import { runModelThroughput } from './src/scenarios/model-throughput';
import { runProducerHttp } from './src/scenarios/producer-http';
import { runStream, type StreamSettings } from './src/scenarios/stream';
import { COURSE_MODEL, setupBroker, setupBundles, setupPython } from './src/setup';
import { measureDrain } from './src/drain';
import { STREAM_SUTS, extraTopics, recordsPerRide, startSut, type SutName } from './src/suts';

const SECTIONS = ['model', 'kafka-tools', 'stream', 'http'] as const;
type Section = (typeof SECTIONS)[number];

const list =
  <T extends string>(allowed: readonly T[], what: string) =>
  (value: string): T[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((s) => !allowed.includes(s as T));
    if (bad.length) throw new InvalidArgumentError(`unknown ${what}: ${bad.join(', ')} (known: ${allowed.join(', ')})`);
    return items as T[];
  };
const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a whole number > 0`);
  return n;
};

interface Options {
  quick: boolean;
  sections: Section[];
  suts: SutName[];
  rounds?: number;
  rides?: number;
  profile: boolean;
  markdown: boolean;
  consumerEnv: Record<string, string>;
}

function settingsFor(o: Options) {
  const quick = o.quick;
  const stream: StreamSettings = {
    rides: o.rides ?? (quick ? 50_000 : 150_000),
    rounds: o.rounds ?? (quick ? 1 : 3),
    capSeconds: quick ? 10 : 12,
    latencySeconds: quick ? 8 : 12,
    warmupSeconds: 2,
    loads: quick ? [0.5] : [0.5, 0.8],
    // The duration-inline and duration-eos variants are drained only, to keep a full run on a fresh clone under
    // 15 minutes; BENCHMARKS.md's run of 2026-11-29 08:47 UTC also measured their latency.
    latencySuts: quick
      ? ['passthrough', 'duration', 'python-onnx']
      : ['passthrough', 'duration', 'duration-shadow', 'tip', 'both', 'python-record', 'python-batch', 'python-onnx'],
    // The issue's latency floor, and the shadow's cost at the same rate as the duration-consumer's.
    fixedRates: [
      { sut: 'duration', rate: 1000 },
      { sut: 'duration-shadow', rate: 1000 },
    ],
    // Each ride is three events: 200k rides are 600k messages held by the bench process.
    maxLatencyRides: 200_000,
  };
  return {
    stream,
    model: { seconds: quick ? 0.05 : 0.1, repeats: quick ? 3 : 5 },
    kafkaTools: { records: quick ? 100_000 : 300_000, e2eRecords: quick ? 200 : 1000 },
    http: { seconds: quick ? 4 : 10, warmupSeconds: quick ? 1 : 2 },
    batchSize: 500,
  };
}

/**
 * The profiles one process wrote (one per thread; Node names them CPU.<date>.<time>.<pid>.<thread id>.<seq>), labelled
 * `<name>` for the main thread (id 0) and `<name> (worker <id>)` for the others: the scoring worker, a shadow's.
 */
function profileFiles(name: string): [string, string][] {
  const out: [string, string][] = [];
  for (const dir of readdirSync(PROFILE_DIR).filter((d) => d.startsWith(`${name}-`)))
    for (const file of readdirSync(`${PROFILE_DIR}/${dir}`).filter((f) => f.endsWith('.cpuprofile'))) {
      const thread = file.split('.').at(-3);
      out.push([thread === '0' ? name : `${name} (worker ${thread})`, `${PROFILE_DIR}/${dir}/${file}`]);
    }
  return out;
}

/** CPU-profiled drains of the Node consumers, summarised (separate runs: the profiler slows what it watches). */
async function profileRuns(
  bench: BenchKafka,
  timeline: readonly StreamEvent[],
  brokers: string,
  suts: readonly SutName[],
  n: number,
  consumerEnv: Record<string, string>,
): Promise<Record<string, ProfileSummary>> {
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  const input = uniqueName('in-profile');
  await createTopics(bench, [input]);
  await withProducer(bench, (p) => prefill(p, input, eventPayloads(timeline, n, 'p').payloads));
  const out: Record<string, ProfileSummary> = {};
  for (const name of suts.filter((s) => ['passthrough', 'duration', 'tip', 'baseline'].includes(s))) {
    const topics = { input, outputs: [uniqueName(`${name}-pout`)], deadLetters: uniqueName(`${name}-pdlq`) };
    const own = [...topics.outputs, ...extraTopics(name, topics.outputs), topics.deadLetters];
    await createTopics(bench, own);
    try {
      const sut = await startSut(name, topics, {
        brokers,
        batchSize: 500,
        pythonModel: COURSE_MODEL,
        tag: 'profile',
        cpuProf: true,
        consumerEnv,
      });
      try {
        await measureDrain({
          bench,
          sut,
          outputs: topics.outputs,
          deadLetters: topics.deadLetters,
          n,
          recordsPerRide: recordsPerRide(name),
          capSeconds: 40,
          round: 0,
        });
      } finally {
        await sut.stop();
      }
      for (const [label, file] of profileFiles(name)) {
        out[label] = summarizeProfile(file);
        say(
          `  profile ${label}: ${out[label].topSelf
            .slice(0, 3)
            .map((f) => `${f.fn} ${Math.round(f.share * 100)}%`)
            .join(', ')}`,
        );
      }
    } finally {
      await deleteTopics(bench, own);
    }
  }
  await deleteTopics(bench, [input]);
  return out;
}

async function main(o: Options): Promise<void> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const box = machine();
  const s = settingsFor(o);
  const errors: string[] = [];
  const want = (x: Section) => o.sections.includes(x);
  const suts = o.suts;
  say(
    `${o.quick ? 'quick' : 'full'} run: sections ${o.sections.join(', ')}; load average ${box.loadAverageAtStart.join(' ')}`,
  );

  mkdirSync(TMP_DIR, { recursive: true });
  const broker = await setupBroker(process.env);
  say(`Kafka at ${broker.brokers}${broker.started ? ' (started by this run)' : ''}`);
  let bench: BenchKafka | undefined;
  const results: { -readonly [K in keyof BenchResults]?: BenchResults[K] } = {};
  try {
    await setupBundles();
    if (want('stream') && suts.some((x) => x.startsWith('python'))) await setupPython();
    const clean = await loadRides();
    const rides = clean.map((r) => r.started);
    const timeline = monthTimeline(clean);
    say(`${rides.length} contract-valid rides from TLC green 2024-01 (the stream sends their three events each)`);
    bench = benchKafka(broker.brokers);

    if (want('model')) {
      say('model throughput');
      results.model = await runModelThroughput(clean, s.model);
    }
    if (want('kafka-tools')) {
      say("Kafka's own tools");
      // The stream's mix (three events per ride), so the tools' record size is the consumers'.
      const sample = eventPayloads(timeline, 7_000, 'k').payloads;
      results.kafkaTools = await runKafkaTools(bench, {
        ...s.kafkaTools,
        recordSize: Math.round(meanBytes(sample)),
        ridesFile: writeRidesFile(sample.map((p) => p.value)),
      });
    }
    if (want('stream')) {
      say(`stream: ${suts.join(', ')}`);
      results.stream = await runStream(
        {
          bench,
          timeline,
          sut: {
            brokers: broker.brokers,
            batchSize: s.batchSize,
            pythonModel: COURSE_MODEL,
            consumerEnv: o.consumerEnv,
          },
          brokerPid: broker.pid,
        },
        suts,
        s.stream,
      );
    }
    if (want('http')) {
      say('producer HTTP');
      results.http = await runProducerHttp(bench, rides, { ...s.http, brokers: broker.brokers });
    }
    if (o.profile) {
      say('CPU profiles');
      results.profiles = await profileRuns(
        bench,
        timeline,
        broker.brokers,
        suts,
        o.quick ? 50_000 : 150_000,
        o.consumerEnv,
      );
    }
  } catch (err) {
    errors.push((err as Error).message);
    say(`FAILED: ${(err as Error).stack ?? String(err)}`);
  } finally {
    if (broker.started) await stopKafka();
  }

  const partial: BenchResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    seconds: (performance.now() - t0) / 1000,
    mode: o.quick ? 'quick' : 'full',
    settings: {
      ...s.stream,
      batchSize: s.batchSize,
      consumerEnv: o.consumerEnv,
      sections: o.sections,
      suts,
      model: s.model,
      kafkaTools: s.kafkaTools,
      http: s.http,
    },
    machine: box,
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    cpuPressureAtEnd: cpuPressure(),
    versions: versions(),
    ...results,
    targets: [],
    errors,
  };
  const final = { ...partial, targets: checkTargets(partial) };
  const file = await writeResults(final, { markdown: o.markdown });
  say(`results: ${file}${o.markdown ? ' and BENCHMARKS.md' : ''} (${round(final.seconds)} s)`);
  for (const t of final.targets)
    say(`  ${t.met === null ? '?' : t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.measured}`);
  process.exitCode = errors.length ? 1 : 0;
}

new Command('bench')
  .description("ridestream's benchmarks on the real broker with real rides; results in bench/results and BENCHMARKS.md")
  .option('--quick', 'smoke run: fewer rides, one round, shorter latency runs (~3 min)', false)
  .option('--sections <list>', `sections to run (${SECTIONS.join(',')})`, list(SECTIONS, 'section'), [...SECTIONS])
  .option('--suts <list>', `stream systems (${STREAM_SUTS.join(',')})`, list(STREAM_SUTS, 'system'), [...STREAM_SUTS])
  .option('--rounds <n>', 'drain rounds per system (default 3, quick 1)', positive('--rounds'))
  .option('--rides <n>', 'rides pre-filled per round (default 150000, quick 50000)', positive('--rides'))
  .option('--profile', 'add CPU-profiled drains of the Node consumers', false)
  .option('--no-markdown', 'write the JSON only, leave BENCHMARKS.md as it is')
  .option(
    '--consumer-env <list>',
    'KEY=VALUE,... for the Node consumers and the pass-through (experiments, e.g. PARTITIONS_CONCURRENTLY=3)',
    (v: string) =>
      Object.fromEntries(
        v.split(',').map((kv) => {
          const [k, ...rest] = kv.split('=');
          if (!k || rest.length === 0) throw new InvalidArgumentError(`expected KEY=VALUE, got ${kv}`);
          return [k.trim(), rest.join('=')];
        }),
      ),
    {},
  )
  .action((o: Options) => main(o))
  .parseAsync()
  .catch((err: unknown) => {
    say(`bench: ${(err as Error).message}`);
    process.exit(1);
  });
