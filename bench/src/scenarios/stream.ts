/**
 * Sections 1a-3: the systems on the stream (pass-through, ridestream's consumers, the Python peers).
 * The input is every ride's three events in replay's order (bench/src/rides.ts); every rate is in rides: a scorer's
 * predictions, a pass-through's forwarded events over three. Drain rounds first: each round pre-fills one fresh
 * input topic and runs every system on it in turn (fresh output and dead-letter topics, fresh group), starting the
 * order one further each round so that the box's noise falls on all of them alike. Then latency runs at 50% and
 * 80% of each system's median drain rate (and at fixed rates), on fresh topics.
 */
import { measureDrain, type DrainResult } from '../drain';
import { createTopics, deleteTopics, prefill, uniqueName, withProducer, type BenchKafka } from '../kafka';
import { measureLatency, type LatencyResult } from '../latency';
import { round, say } from '../log';
import { eventPayloads, type StreamEvent } from '../rides';
import { median } from '../stats';
import {
  EVENTS_PER_RIDE,
  SUT_OUTPUTS,
  extraTopics,
  outputCount,
  recordsPerRide,
  startSut,
  type RunningSut,
  type SutName,
  type SutOptions,
  type SutTopics,
} from '../suts';

export interface StreamSettings {
  readonly rides: number;
  readonly rounds: number;
  readonly capSeconds: number;
  readonly latencySeconds: number;
  readonly warmupSeconds: number;
  readonly loads: readonly number[];
  /** Systems that also get latency runs. */
  readonly latencySuts: readonly SutName[];
  /** Extra latency runs at a fixed rate (rides/s), whatever the saturation: the floor on a busy box. */
  readonly fixedRates: readonly { readonly sut: SutName; readonly rate: number }[];
  /** Most rides one latency run may send (memory bound on the bench process). */
  readonly maxLatencyRides: number;
}

export interface StreamContext {
  readonly bench: BenchKafka;
  /** The month's events in replay's order (`monthTimeline`). */
  readonly timeline: readonly StreamEvent[];
  readonly sut: Omit<SutOptions, 'tag'>;
  readonly brokerPid?: number;
}

export interface SutStreamResult {
  readonly drains: DrainResult[];
  /** Median over rounds. */
  readonly saturation: {
    readonly eventsPerSec: number;
    readonly cpuSecondsPer100k: number;
    readonly peakRssMB: number;
    readonly loopLagP99Ms?: number;
    readonly brokerCpuSecondsPer100k?: number;
  };
  /** `load` is the rate over the median drain rate; `fixedRate` marks the extra runs at a fixed rate. */
  readonly latency: { readonly load: number; readonly fixedRate: boolean; readonly result: LatencyResult }[];
  readonly errors: string[];
}

/**
 * Stops a system and deletes its topics in the background: a kafkajs consumer takes ~5 s to leave (it waits out its
 * fetch long-poll), idle time that need not hold up the next measurement.
 */
function retire(bench: BenchKafka, sut: RunningSut | undefined, topics: readonly string[]): Promise<void> {
  return (sut?.stop() ?? Promise.resolve()).finally(() => deleteTopics(bench, topics)).catch(() => {});
}

async function freshTopics(bench: BenchKafka, name: SutName, input?: string): Promise<SutTopics & { all: string[] }> {
  const outputs = Array.from({ length: outputCount(name) }, (_, i) => uniqueName(`${name}-out${i}`));
  const deadLetters = uniqueName(`${name}-dlq`);
  const own = input ? [] : [uniqueName(`${name}-in`)];
  const all = [...own, ...outputs, ...extraTopics(name, outputs), deadLetters];
  await createTopics(bench, all);
  return { input: input ?? own[0]!, outputs, deadLetters, all };
}

export async function runStream(
  ctx: StreamContext,
  suts: readonly SutName[],
  s: StreamSettings,
): Promise<Record<string, SutStreamResult>> {
  const results: Record<string, SutStreamResult> = {};
  for (const name of suts) results[name] = { drains: [], saturation: {} as never, latency: [], errors: [] };
  const { payloads } = eventPayloads(ctx.timeline, s.rides, 'd');
  const cleanups: Promise<void>[] = [];

  for (let r = 0; r < s.rounds; r++) {
    const input = uniqueName(`in-round${r + 1}`);
    await createTopics(ctx.bench, [input]);
    const perSec = await withProducer(ctx.bench, (producer) => prefill(producer, input, payloads));
    say(
      `round ${r + 1}/${s.rounds}: ${s.rides} rides (${payloads.length} events) pre-filled on ${input} ` +
        `(${Math.round(perSec)} events/s)`,
    );
    const order = suts.map((_, i) => suts[(i + r) % suts.length]!);
    for (const name of order) {
      const topics = await freshTopics(ctx.bench, name, input);
      let sut: RunningSut | undefined;
      try {
        sut = await startSut(name, topics, { ...ctx.sut, tag: `r${r + 1}` });
        const d = await measureDrain({
          bench: ctx.bench,
          sut,
          outputs: topics.outputs,
          deadLetters: topics.deadLetters,
          n: s.rides,
          recordsPerRide: recordsPerRide(name),
          capSeconds: s.capSeconds,
          brokerPid: ctx.brokerPid,
          round: r + 1,
        });
        results[name]!.drains.push(d);
        say(
          `  ${name}: ${Math.round(d.eventsPerSec)} rides/s, ${round(d.cpuSecondsPer100k)} CPU s/100k, ` +
            `peak RSS ${Object.values(d.peakRssMB)
              .map((m) => Math.round(m))
              .join('+')} MB` +
            `${
              Object.keys(d.loopDelay).length
                ? `, loop lag p99 ${Object.values(d.loopDelay)
                    .map((l) => round(l.lagP99Ms))
                    .join('/')} ms`
                : ''
            }` +
            `${d.completed ? '' : ' (time cap)'}`,
        );
      } catch (err) {
        results[name]!.errors.push(`round ${r + 1}: ${(err as Error).message}`);
        say(`  ${name}: FAILED ${(err as Error).message}`);
      } finally {
        cleanups.push(
          retire(
            ctx.bench,
            sut,
            topics.all.filter((t) => t !== input),
          ),
        );
      }
    }
    // The input goes once every system of the round has let go of it.
    await Promise.all(cleanups.splice(0));
    await deleteTopics(ctx.bench, [input]);
  }

  for (const name of suts) {
    const { drains } = results[name]!;
    const lags = drains.flatMap((d) => Object.values(d.loopDelay).map((l) => l.lagP99Ms));
    (results[name] as { saturation: SutStreamResult['saturation'] }).saturation = {
      eventsPerSec: median(drains.map((d) => d.eventsPerSec)),
      cpuSecondsPer100k: median(drains.map((d) => d.cpuSecondsPer100k)),
      peakRssMB: median(drains.map((d) => Math.max(...Object.values(d.peakRssMB)))),
      loopLagP99Ms: lags.length ? median(lags) : undefined,
      brokerCpuSecondsPer100k: median(drains.map((d) => d.brokerCpuSecondsPer100k ?? NaN)),
    };
  }

  const runs: { name: SutName; load: number; rate: number; fixedRate: boolean }[] = [];
  for (const name of suts.filter((n) => s.latencySuts.includes(n))) {
    const saturation = results[name]!.saturation.eventsPerSec;
    if (!Number.isFinite(saturation)) continue;
    for (const load of s.loads)
      runs.push({ name, load, rate: Math.max(1, Math.round(saturation * load)), fixedRate: false });
  }
  for (const f of s.fixedRates.filter((x) => suts.includes(x.sut))) {
    const saturation = results[f.sut]!.saturation.eventsPerSec;
    if (Number.isFinite(saturation))
      runs.push({ name: f.sut, load: f.rate / saturation, rate: f.rate, fixedRate: true });
  }
  for (const { name, load, rate, fixedRate } of runs) {
    const topics = await freshTopics(ctx.bench, name);
    let sut: RunningSut | undefined;
    try {
      sut = await startSut(name, topics, { ...ctx.sut, tag: `lat${Math.round(load * 100)}` });
      const n = Math.min(s.maxLatencyRides, Math.ceil(rate * s.latencySeconds));
      const { payloads: events, types } = eventPayloads(ctx.timeline, n, `l${Math.round(load * 100)}`);
      // Each output's clock starts at the event it answers; a pass-through's first record of a ride is its start.
      const answers = SUT_OUTPUTS[name].map((o) => (o === 'every event' ? 'ride.started' : o));
      const perEvent = await measureLatency({
        bench: ctx.bench,
        sut,
        input: topics.input,
        outputs: topics.outputs,
        payloads: events,
        rate: rate * EVENTS_PER_RIDE,
        seconds: s.latencySeconds,
        warmupSeconds: s.warmupSeconds,
        startsClock: (output, index) => types[index] === answers[output],
      });
      // Paced in events; reported in rides, like every other rate.
      const result = {
        ...perEvent,
        targetRate: perEvent.targetRate / EVENTS_PER_RIDE,
        achievedRate: perEvent.achievedRate / EVENTS_PER_RIDE,
        sent: perEvent.sent / EVENTS_PER_RIDE,
      };
      results[name]!.latency.push({ load, fixedRate, result });
      say(
        `  ${name} at ${Math.round(load * 100)}% (${rate}/s): e2e ms ` +
          result.latencyMs.map((l) => `p50 ${round(l.p50)} p95 ${round(l.p95)} p99 ${round(l.p99)}`).join(' | ') +
          (result.missing.some((m) => m > 0) ? `, missing ${result.missing.join('/')}` : ''),
      );
    } catch (err) {
      results[name]!.errors.push(`latency ${load}: ${(err as Error).message}`);
      say(`  ${name} latency at ${load}: FAILED ${(err as Error).message}`);
    } finally {
      cleanups.push(retire(ctx.bench, sut, topics.all));
    }
  }
  await Promise.all(cleanups);
  return results;
}
