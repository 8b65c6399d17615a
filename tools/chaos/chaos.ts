/**
 * `npm run chaos`: real TLC rides through the producer's HTTP API while the harness kill -9s consumer processes at
 * random moments, restarts the broker once (when this run started it), and scales duration-consumer 2 -> 3 -> 2.
 * Then a verifier reads the input and output topics and reports, per consumer: rides in, predictions out, lost,
 * duplicates, and mismatches against offline scoring. Runs at-least-once, then exactly-once (read_committed).
 * Exits 1 if anything was lost, or if exactly-once shows a duplicate.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
// Only for pacing (the chaos schedule, restarts, the outage): never to wait for a condition.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { FEATURE_SPECS, parseRideEvent, type PredictionKind, type RideEvent } from '@ridestream/features';
import { replayRides } from '@ridestream/producer';
import { createKafka, ensureTopics } from '@ridestream/kafka';
import { isKafkaToolError, startPrivateKafka, type PrivateKafka } from '@ridestream/kafka-tool';
import { createModel } from '@ridestream/model';
import { silentLogger } from '@ridestream/runtime';
import { seededRandom } from '@ridestream/testing';
import { cleanTrips, readTlcFile, rideTimeline } from '@ridestream/tlc';
import { Command } from 'commander';
import { freePort, startService, stopService, waitReady, type RunningService } from '@ridestream/dev-services';
import { failures, readTopic, verify, type ConsumerReport } from './verifier';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOGS = `${ROOT}.cache/chaos`;
const say = (m: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
/** ride.started, ride.completed, ride.paid. */
const EVENTS_PER_RIDE = 3;
/** How long the replay may fail without a break (the producer down, the broker away) before the run gives up. */
const REPLAY_GIVE_UP_MS = 120_000;
/** A replay without progress for this long gets no more kill -9s: they would only bury why it is stuck. */
const STUCK_MS = 30_000;
/** How long the restarted broker may wait for its own port to be free again. */
const BROKER_PORT_WAIT_MS = 60_000;

/** Every service process this run started: killed on any exit, so that a run that gives up leaves none behind. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Where the run is: what `--deadline` reports when it gives up. */
const status = { mode: '-', phase: 'starting', sent: 0, total: 0 };
const phase = (mode: string, what: string) => {
  status.mode = mode;
  status.phase = what;
};

/** The last lines of each service log of this run: what a run that gave up prints. */
function logTails(names: readonly string[], lines = 12): string {
  return names
    .map((name) => {
      const file = `${LOGS}/${name}.log`;
      const tail = existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines) : [];
      // An error line carries its whole stack: its start says what failed.
      const text = tail.map((l) => (l.length > 500 ? `${l.slice(0, 500)}...` : l)).join('\n');
      return `--- ${file}\n${text}`;
    })
    .join('\n');
}

/**
 * The events of `n` distinct rides on the ride's clock: January 2024 repeated, each pass with its own ride id prefix
 * (and the whole pass after the one before, so that each ride's events stay in order).
 */
async function loadRideEvents(file: string, n: number): Promise<RideEvent[]> {
  const trips = await readTlcFile(file, n < 50_000 ? { limit: Math.ceil(n * 1.1) + 100 } : {});
  const out: RideEvent[] = [];
  for (let pass = 0, left = n; left > 0; pass++) {
    const { rides } = cleanTrips(trips, 'none', `c${pass}-x`);
    if (rides.length === 0) throw new Error(`${file}: no contract-valid rides`);
    const taken = rides.slice(0, left);
    out.push(...rideTimeline(taken));
    left -= taken.length;
  }
  return out;
}

/**
 * Silence on an output topic before its missing rides count as lost. 10 s was too short: the CI of 2026-12-02 saw the
 * tip-consumer crash during the exactly-once broker restart and come back 33 s later, and reported 2,560 of its 3,000
 * rides lost (the same seed passed locally).
 */
const OUTPUT_IDLE_MS = 45_000;

/**
 * One app instance kept alive like an orchestrator would: when it exits (killed, or crashed during the broker
 * restart) it is started again, until `retire()`.
 */
class Slot {
  current!: RunningService;
  retired = false;
  restarts = 0;
  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {}
  async start(): Promise<void> {
    const port = await freePort();
    // Retired while a restart was on its way: start nothing (it would outlive the run).
    if (this.retired) return;
    this.current = startService(
      { name: this.name, entry: this.entry, port, env: { ...this.env, HTTP_PORT: String(port) } },
      ROOT,
      LOGS,
      process.env,
    );
    const me = this.current;
    children.add(me.child);
    void me.exited.then(async () => {
      children.delete(me.child);
      if (this.retired || me !== this.current) return;
      this.restarts++;
      await sleep(500);
      if (!this.retired) await this.start();
    });
  }
  kill9(): void {
    this.current.child.kill('SIGKILL');
  }
  async retire(): Promise<void> {
    this.retired = true;
    await stopService(this.current);
  }
}

interface ModeResult {
  readonly mode: 'at-least-once' | 'exactly-once';
  readonly rides: number;
  readonly replaySeconds: number;
  readonly kills: number;
  readonly killsBy: Readonly<Record<string, number>>;
  readonly restarts: Readonly<Record<string, number>>;
  readonly brokerRestarted: boolean;
  readonly reports: readonly ConsumerReport[];
}

/**
 * Stops the run's own broker and starts it again on the same ports and data. Its ports lie below the ephemeral
 * range (`pickListenPorts`), so no client takes them meanwhile; another listener still could, and then the start is
 * retried for a while and fails with PORT_IN_USE, never silently on another address.
 */
async function restartBroker(broker: PrivateKafka): Promise<void> {
  await broker.stop();
  await sleep(3_000);
  const deadline = Date.now() + BROKER_PORT_WAIT_MS;
  for (;;) {
    try {
      await broker.start();
      return;
    } catch (err) {
      if (!(isKafkaToolError(err) && err.code === 'PORT_IN_USE') || Date.now() > deadline) throw err;
      say(`kafka: ${(err as Error).message}; trying again`);
      await sleep(1_000);
    }
  }
}

async function runMode(
  exactlyOnce: boolean,
  rides: readonly RideEvent[],
  brokers: string,
  broker: PrivateKafka | undefined,
  rand: () => number,
  ratePerSec: number,
): Promise<ModeResult> {
  const mode = exactlyOnce ? 'exactly-once' : 'at-least-once';
  const canRestartBroker = broker !== undefined;
  phase(mode, 'starting the services');
  status.sent = 0;
  status.total = rides.length;
  const id = randomUUID().slice(0, 8);
  const topics = {
    rides: `chaos-${id}-rides`,
    duration: `chaos-${id}-duration`,
    tip: `chaos-${id}-tip`,
    dlq: `chaos-${id}-dlq`,
  };
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'chaos' }, silentLogger());
  await ensureTopics(
    kafka,
    Object.values(topics).map((topic) => ({ topic, numPartitions: 6 })),
  );
  const base = { KAFKA_BROKERS: brokers, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const consumerEnv = (kind: PredictionKind) => ({
    ...base,
    INPUT_TOPIC: topics.rides,
    OUTPUT_TOPIC: topics[kind],
    DEAD_LETTER_TOPIC: topics.dlq,
    CONSUMER_GROUP: `chaos-${id}-${kind}`,
    EXACTLY_ONCE: String(exactlyOnce),
    // Short sessions: a killed instance's partitions move on within seconds, not 30 s.
    SESSION_TIMEOUT_MS: '10000',
  });
  const producer = new Slot('chaos-producer', 'apps/producer/src/main.ts', { ...base, RIDES_TOPIC: topics.rides });
  const slots = {
    duration: [1, 2].map(
      (i) => new Slot(`chaos-duration-${i}`, 'apps/duration-consumer/src/main.ts', consumerEnv('duration')),
    ),
    tip: [new Slot('chaos-tip-1', 'apps/tip-consumer/src/main.ts', consumerEnv('tip'))],
  };
  const all = () => [producer, ...slots.duration, ...slots.tip];
  try {
    await Promise.all(all().map((s) => s.start()));
    await Promise.all(all().map((s) => waitReady(s.current, 120_000)));
    say(`${mode}: producer, 2 duration-consumers and 1 tip-consumer ready on ${topics.rides}`);
    phase(mode, 'replaying under chaos');

    // The replay runs while the chaos loop acts at random moments on a progress schedule.
    let sent = 0;
    /** When the replay last got a chunk through: a replay stuck for long is not made worse by more kills. */
    let progressedAt = Date.now();
    let kills = 0;
    let brokerRestarted = false;
    const replay = (async () => {
      // The producer's port changes if it is restarted; the replay follows it by retrying connection errors.
      const batchSize = 500;
      let failingSince: number | undefined;
      for (let i = 0; i < rides.length;) {
        const chunk = rides.slice(i, i + 4 * batchSize);
        try {
          await replayRides({
            events: chunk,
            url: `http://127.0.0.1:${producer.current.spec.port}`,
            // The rate is in rides; each ride is three events on the stream.
            ratePerSec: ratePerSec * EVENTS_PER_RIDE,
            batchSize,
            concurrency: 4,
          });
          i += chunk.length;
          sent = i;
          progressedAt = Date.now();
          status.sent = i;
          failingSince = undefined;
        } catch (err) {
          failingSince ??= Date.now();
          if (Date.now() - failingSince > REPLAY_GIVE_UP_MS)
            throw new Error(`replay failed for ${REPLAY_GIVE_UP_MS / 1000} s without a break at ${i} events`, {
              cause: err,
            });
          // Resending a chunk may duplicate input records: the verifier counts distinct rides in.
          say(`replay: ${(err as Error).message.slice(0, 400)}; resending the chunk`);
          await sleep(1000);
        }
      }
    })();
    // Scale up at 25 %, restart the broker at 45 %, scale down at 70 % of the replay; kill -9 in between. The
    // scheduled events still happen if the replay ends first; a consumer killed while the last rides are in flight
    // is restarted by its slot.
    const killsBy = new Map<string, number>();
    const chaos = (async () => {
      let scaledUp = false;
      let scaledDown = false;
      const done = () => sent >= rides.length && scaledUp && scaledDown && (brokerRestarted || !canRestartBroker);
      while (!done()) {
        await sleep(2_000 + rand() * 4_000);
        const progress = sent / rides.length;
        if (!scaledUp && progress > 0.25) {
          scaledUp = true;
          const s = new Slot('chaos-duration-3', 'apps/duration-consumer/src/main.ts', consumerEnv('duration'));
          slots.duration.push(s);
          await s.start();
          say(`${mode}: scaled duration-consumer 2 -> 3 at ${sent}/${rides.length} events`);
        } else if (canRestartBroker && !brokerRestarted && progress > 0.45) {
          brokerRestarted = true;
          say(`${mode}: restarting the broker at ${sent}/${rides.length} events`);
          await restartBroker(broker!);
          say(`${mode}: broker back at ${broker!.brokers}`);
        } else if (scaledUp && !scaledDown && progress > 0.7) {
          scaledDown = true;
          const s = slots.duration.pop()!;
          await s.retire();
          say(`${mode}: scaled duration-consumer 3 -> 2 at ${sent}/${rides.length} events`);
        } else if (sent < rides.length && Date.now() - progressedAt < STUCK_MS) {
          const pool = [...slots.duration, ...slots.tip].filter((s) => !s.retired);
          const victim = pool[Math.floor(rand() * pool.length)]!;
          victim.kill9();
          kills++;
          killsBy.set(victim.name, (killsBy.get(victim.name) ?? 0) + 1);
          say(`${mode}: kill -9 ${victim.name} at ${sent}/${rides.length} events`);
        }
      }
    })();
    const t0 = performance.now();
    await Promise.all([replay, chaos]);
    const replaySeconds = (performance.now() - t0) / 1000;
    say(`${mode}: ${rides.length} events sent in ${replaySeconds.toFixed(0)} s; ${kills} kill -9; verifying`);
    phase(mode, 'verifying');

    // The verifier: the input topic says what went in; each output topic (read_committed) what came out.
    const input = await readTopic(kafka, topics.rides, (v) => v.length >= rides.length);
    const inEvents = new Map<string, RideEvent>();
    // A chunk the replay sent again puts its events on the topic twice: each copy may be scored once.
    const copies = new Map<string, number>();
    for (const v of input) {
      const r = parseRideEvent(v);
      if (!r.ok) continue;
      inEvents.set(r.value.eventId, r.value);
      copies.set(r.value.eventId, (copies.get(r.value.eventId) ?? 0) + 1);
    }
    const reports: ConsumerReport[] = [];
    for (const kind of ['duration', 'tip'] as const) {
      // Each kind scores one event of each ride: duration its ride.started, tip its ride.completed.
      const scored = [...inEvents.values()].filter((e) => e.type === FEATURE_SPECS[kind].eventType);
      const ids = new Set(scored.map((e) => e.rideId));
      // A consumer may still be coming back when verifying starts: one that crashed while the broker restarted is
      // started again only once the broker answers, then loads its model and joins; in exactly-once a read_committed
      // reader also waits for the dead instance's open transactions to be aborted. So an output topic is given
      // OUTPUT_IDLE_MS of silence before what is missing counts as lost (a complete topic still returns at once).
      const out = await readTopic(
        kafka,
        topics[kind],
        (v) => {
          if (v.length < ids.size) return false;
          const got = new Set(v.map((x) => (JSON.parse(x) as { rideId: string }).rideId));
          return [...ids].every((i) => got.has(i));
        },
        OUTPUT_IDLE_MS,
      );
      const model = await createModel({ path: `${ROOT}models/${kind}/model.onnx`, features: FEATURE_SPECS[kind] });
      try {
        reports.push(await verify(`${kind}-consumer`, kind, scored, out, model, copies));
      } finally {
        await model.dispose();
      }
    }
    const restarts = Object.fromEntries(
      all()
        .concat(slots.duration)
        .map((s) => [s.name, s.restarts]),
    );
    return {
      mode,
      rides: rides.length,
      replaySeconds,
      kills,
      killsBy: Object.fromEntries(killsBy),
      restarts,
      brokerRestarted,
      reports,
    };
  } finally {
    for (const s of all().concat(slots.duration)) if (!s.retired) await s.retire().catch(() => {});
  }
}

interface Options {
  readonly rides: number;
  readonly data: string;
  readonly mode: string;
  readonly seed: number;
  readonly rate: number;
  readonly result?: string;
  readonly deadline?: number;
}

/**
 * A run that cannot finish (a service that never comes back, a verifier waiting on a wedged broker) ends at the
 * deadline with where it was, instead of leaving its caller to time out with nothing to read.
 */
const SERVICES = ['chaos-producer', 'chaos-duration-1', 'chaos-duration-2', 'chaos-duration-3', 'chaos-tip-1'];

function giveUpAfter(seconds: number): void {
  setTimeout(() => {
    say(`gave up after ${seconds} s: ${status.mode}, ${status.phase}, ${status.sent}/${status.total} events sent`);
    process.stderr.write(`${logTails(SERVICES)}\n`);
    // The exit handlers kill the services and the run's broker.
    process.exit(2);
  }, seconds * 1000).unref();
}

const program = new Command('chaos')
  .description('kill -9 consumers, restart the broker and rescale while replaying real rides; then verify')
  .option('--rides <n>', 'rides to send per mode', (v) => Number(v), 100_000)
  .option('--data <file>', 'TLC parquet file', 'data/tlc/green_tripdata_2024-01.parquet')
  .option('--mode <mode>', 'both | at-least-once | exactly-once', 'both')
  .option('--rate <n>', 'rides per second (default: the rides spread over 60 s)', (v) => Number(v), 0)
  .option('--seed <n>', 'seed of the chaos schedule', (v) => Number(v), Date.now() % 100_000)
  .option('--result <file>', 'where to write the JSON result (default: .cache/chaos/result-<time>.json)')
  .option(
    '--deadline <s>',
    "give up after this many seconds, with where the run was and the services' last logs",
    (v) => Number(v),
  )
  .action(async (o: Options) => {
    const rate = o.rate || Math.ceil(o.rides / 60);
    mkdirSync(LOGS, { recursive: true });
    if (o.deadline) giveUpAfter(o.deadline);
    // KAFKA_BROKERS set: that cluster, never restarted. Else a broker of this run's own (its own data, never one
    // that tests or `npm start` share), restarted once per mode.
    const external = process.env.KAFKA_BROKERS?.trim();
    const cacheDir = `${LOGS}/kafka-${Date.now()}`;
    const broker = external
      ? undefined
      : await startPrivateKafka({ cacheDir, heap: ['-Xms512m', '-Xmx512m'], log: (m) => say(`kafka: ${m}`) });
    const brokers = external || broker!.brokers;
    say(
      `Kafka at ${brokers}${broker ? ' (started by this run: it will be restarted once per mode)' : ' (KAFKA_BROKERS: no broker restart)'}; seed ${o.seed}`,
    );
    const results: ModeResult[] = [];
    try {
      const rides = await loadRideEvents(o.data, o.rides);
      const rand = seededRandom(o.seed);
      const modes = o.mode === 'both' ? [false, true] : [o.mode === 'exactly-once'];
      for (const eo of modes) results.push(await runMode(eo, rides, brokers, broker, rand, rate));
    } finally {
      await broker?.stop();
    }
    // Its data is only worth keeping when the run failed before this point.
    rmSync(cacheDir, { recursive: true, force: true });
    const file = o.result ?? `${LOGS}/result-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    writeFileSync(file, JSON.stringify({ seed: o.seed, results }, null, 2));
    const failed: string[] = [];
    for (const r of results) {
      process.stdout.write(
        `\n${r.mode}: ${r.rides} rides in ${r.replaySeconds.toFixed(0)} s, ${r.kills} kill -9 ${JSON.stringify(r.killsBy)}, ` +
          `restarts ${JSON.stringify(r.restarts)}, broker restarted: ${r.brokerRestarted}\n`,
      );
      console.table(
        r.reports.map(({ consumer, ridesIn, resentIn, predictionsOut, lost, duplicates, mismatches }) => ({
          consumer,
          ridesIn,
          resentIn,
          predictionsOut,
          lost,
          duplicates,
          mismatches,
        })),
      );
      for (const c of r.reports) failed.push(...failures(r.mode, c).map((f) => `${r.mode}: ${f}`));
    }
    for (const f of failed) say(`FAILED ${f}`);
    say(`results in ${file}`);
    process.exit(failed.length > 0 ? 1 : 0);
  });

program.parseAsync().catch((err: unknown) => {
  say(`failed: ${(err as Error).stack ?? String(err)}`);
  process.stderr.write(`${logTails(SERVICES)}\n`);
  process.exit(1);
});
