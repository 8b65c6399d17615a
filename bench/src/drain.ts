/**
 * Drain rate at saturation: the input topic is pre-filled, the system under test starts, and the output topics'
 * record counts, the processes' CPU and memory are sampled every `pollMs`. The rate is the slope between the
 * sample where 10% of the rides are done (startup, group join and JIT warm-up excluded) and the one where 90% are
 * (or the time cap, for slow systems: then the window opens 3 s after the first output).
 */
import type { Admin } from 'kafkajs';
import { sleep } from './log';
import { topicCount, withAdmin, type BenchKafka } from './kafka';
import { procUsage } from './procs';
import { scrapeLoopDelay, scrapeMemory, type LoopDelay, type NodeMemory } from './scrape';
import type { RunningSut } from './suts';

export interface DrainOptions {
  readonly bench: BenchKafka;
  readonly sut: RunningSut;
  readonly outputs: readonly string[];
  readonly deadLetters: string;
  /** Rides pre-filled on the input topic. */
  readonly n: number;
  /**
   * Records one ride puts on each output topic (a pass-through forwards all three of a ride's events): counts are
   * divided by it, so rates and per-100k figures are per ride. Default 1.
   */
  readonly recordsPerRide?: number;
  /** Hard bound on the measurement, from the start of sampling. */
  readonly capSeconds: number;
  readonly pollMs?: number;
  /** The local broker's pid, to report its CPU per 100k rides too. */
  readonly brokerPid?: number;
  readonly round: number;
}

export interface DrainResult {
  /** The round (1-based) this drain belongs to: ratios are taken within a round. */
  readonly round: number;
  /** Every ride got its prediction(s) within the cap. */
  readonly completed: boolean;
  /** Rides per second with all outputs written (the slower output, for both consumers together). */
  readonly eventsPerSec: number;
  /** Messages per second over all output topics. */
  readonly outputsPerSec: number;
  readonly windowSeconds: number;
  readonly windowEvents: number;
  /** CPU seconds of all processes under test per 100k rides. */
  readonly cpuSecondsPer100k: number;
  readonly cpuSecondsPer100kByProc: Record<string, number>;
  /** CPU cores the processes under test kept busy during the window. */
  readonly cores: number;
  readonly brokerCpuSecondsPer100k?: number;
  readonly peakRssMB: Record<string, number>;
  readonly loopDelay: Record<string, LoopDelay>;
  /** Node children's heap / external / resident memory at the end of the window. */
  readonly memory: Record<string, NodeMemory>;
  readonly deadLetters: number;
}

interface Sample {
  readonly t: number;
  readonly done: number;
  readonly total: number;
  readonly cpu: readonly number[];
  readonly brokerCpu?: number;
}

export function measureDrain(o: DrainOptions): Promise<DrainResult> {
  return withAdmin(o.bench, (admin) => drain(o, admin));
}

async function drain(o: DrainOptions, admin: Admin): Promise<DrainResult> {
  const pollMs = o.pollMs ?? 200;
  const procs = o.sut.members.map((m) => m.proc);
  const scrapeAll = () =>
    Promise.all(o.sut.members.map((m) => (m.metricsPort ? scrapeLoopDelay(m.metricsPort) : undefined)));
  const t0 = performance.now();
  const lastCpu = procs.map(() => 0);
  const sample = async (): Promise<Sample> => {
    const counts = await Promise.all(o.outputs.map((topic) => topicCount(admin, topic)));
    const cpu = procs.map((p, i) => (lastCpu[i] = procUsage(p.pid)?.cpuSeconds ?? lastCpu[i]!));
    return {
      t: (performance.now() - t0) / 1000,
      done: Math.min(...counts) / (o.recordsPerRide ?? 1),
      total: counts.reduce((a, b) => a + b, 0),
      cpu,
      brokerCpu: o.brokerPid ? procUsage(o.brokerPid)?.cpuSeconds : undefined,
    };
  };
  const exited = procs.map(() => false);
  procs.forEach((p, i) => void p.exited.then(() => (exited[i] = true)));

  let start: Sample | undefined;
  let end: Sample | undefined;
  let firstOutputAt: number | undefined;
  let last: Sample;
  const peakRssMB: Record<string, number> = {};
  const notePeaks = () => {
    for (const p of procs) {
      const u = procUsage(p.pid);
      if (u) peakRssMB[p.name] = Math.max(peakRssMB[p.name] ?? 0, u.peakRssMB);
    }
  };
  for (;;) {
    last = await sample();
    if (firstOutputAt === undefined && last.done > 0) firstOutputAt = last.t;
    if (!start && (last.done >= 0.1 * o.n || (firstOutputAt !== undefined && last.t - firstOutputAt >= 3))) {
      start = last;
      // Resets the children's event-loop histograms: the next scrape covers the window only.
      await scrapeAll();
    }
    if (start && !end && (last.done >= 0.9 * o.n || last.t >= o.capSeconds)) {
      end = last;
      notePeaks();
    }
    if (end && (last.done >= o.n || last.t >= o.capSeconds)) break;
    if (exited.some(Boolean)) {
      const dead = procs.filter((_, i) => exited[i]).map((p) => `${p.name} (see ${p.logFile})`);
      throw new Error(`process exited during the drain: ${dead.join(', ')}`);
    }
    if (last.t >= o.capSeconds + 30) throw new Error(`no output after ${last.t.toFixed(0)} s`);
    await sleep(pollMs);
  }
  if (!start || !end) throw new Error('drain window never opened');
  const loops = await scrapeAll();
  const memories = await Promise.all(
    o.sut.members.map((m) => (m.metricsPort ? scrapeMemory(m.metricsPort) : undefined)),
  );
  const memory: Record<string, NodeMemory> = {};
  procs.forEach((p, i) => {
    const m = memories[i];
    if (m) memory[p.name] = m;
  });
  notePeaks();
  const windowSeconds = end.t - start.t;
  const windowEvents = end.done - start.done;
  const per100k = (cpuDelta: number) => (windowEvents > 0 ? (cpuDelta / windowEvents) * 100_000 : NaN);
  const cpuByProc: Record<string, number> = {};
  const loopDelay: Record<string, LoopDelay> = {};
  let cpuTotal = 0;
  procs.forEach((p, i) => {
    const d = end!.cpu[i]! - start!.cpu[i]!;
    cpuTotal += d;
    cpuByProc[p.name] = per100k(d);
  });
  procs.forEach((p, i) => {
    const l = loops[i];
    if (l) loopDelay[p.name] = l;
  });
  return {
    round: o.round,
    completed: last.done >= o.n,
    eventsPerSec: windowEvents / windowSeconds,
    outputsPerSec: (end.total - start.total) / windowSeconds,
    windowSeconds,
    windowEvents,
    cpuSecondsPer100k: per100k(cpuTotal),
    cpuSecondsPer100kByProc: cpuByProc,
    cores: cpuTotal / windowSeconds,
    brokerCpuSecondsPer100k:
      start.brokerCpu !== undefined && end.brokerCpu !== undefined
        ? per100k(end.brokerCpu - start.brokerCpu)
        : undefined,
    peakRssMB,
    loopDelay,
    memory,
    deadLetters: await topicCount(admin, o.deadLetters),
  };
}
