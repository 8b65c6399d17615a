import { describe, expect, it } from 'vitest';
import type { DrainResult } from '../src/drain';
import type { LatencyResult } from '../src/latency';
import { checkTargets, roundRatio, type BenchResults } from '../src/report';
import type { HttpRun } from '../src/scenarios/producer-http';
import type { SutStreamResult } from '../src/scenarios/stream';
import type { SutName } from '../src/suts';

/** A system's drains (rides/s per round, round 1 first) and what else the targets read; the rest is not read. */
interface Sys {
  readonly rates: readonly number[];
  readonly lagP99?: number;
  readonly rssMB?: number;
  /** p99 per output at 50% of saturation, and at a fixed 1,000 rides/s. */
  readonly p99At50?: readonly number[];
  readonly p99At1000?: number;
}

const latency = (targetRate: number, p99s: readonly number[]) =>
  ({ targetRate, latencyMs: p99s.map((p99) => ({ count: 1, p50: 1, p95: 1, p99, max: p99 })) }) as LatencyResult;

function system(s: Sys): SutStreamResult {
  const lat: SutStreamResult['latency'] = [];
  if (s.p99At50) lat.push({ load: 0.5, fixedRate: false, result: latency(5000, s.p99At50) });
  if (s.p99At1000 !== undefined) lat.push({ load: 0.1, fixedRate: true, result: latency(1000, [s.p99At1000]) });
  return {
    drains: s.rates.map((eventsPerSec, i) => ({ round: i + 1, eventsPerSec }) as DrainResult),
    saturation: {
      eventsPerSec: NaN,
      cpuSecondsPer100k: NaN,
      peakRssMB: s.rssMB ?? NaN,
      loopLagP99Ms: s.lagP99,
    },
    latency: lat,
    errors: [],
  };
}

const http = (perRequest: number, accepted: number) =>
  ({ ridesPerRequest: perRequest, connections: perRequest === 1 ? 64 : 16, acceptedRidesPerSec: accepted }) as HttpRun;

function results(systems: Partial<Record<SutName, Sys>>, runs: HttpRun[] = []): BenchResults {
  const stream = Object.fromEntries(Object.entries(systems).map(([n, s]) => [n, system(s)]));
  return { stream, http: { runs, errors: [] }, targets: [], errors: [] } as unknown as BenchResults;
}

const verdict = (r: BenchResults, target: string) => {
  const found = checkTargets(r).find((t) => t.target.startsWith(target));
  if (!found) throw new Error(`no target starting "${target}"`);
  return found;
};

describe('roundRatio', () => {
  it('returns the median over rounds of the ratio within each round, against the faster pass-through there', () => {
    const r = results({
      duration: { rates: [80, 90, 70] },
      passthrough: { rates: [100, 100, 100] },
      'passthrough-platformatic': { rates: [200, 50, 100] },
    });
    // Per round: 80/200, 90/100, 70/100. The ratio of medians (80/100) would hide round 1's faster client.
    expect(roundRatio(r, 'duration', ['passthrough', 'passthrough-platformatic'])).toBeCloseTo(0.7, 10);
    expect(roundRatio(r, 'duration', 'passthrough')).toBeCloseTo(0.8, 10);
  });

  it('returns NaN when the two systems share no round', () => {
    const r = results({ duration: { rates: [80] }, 'python-onnx': { rates: [] } });
    expect(roundRatio(r, 'duration', 'python-onnx')).toBeNaN();
  });
});

describe('checkTargets', () => {
  const met = results(
    {
      passthrough: { rates: [100, 100, 100] },
      'passthrough-platformatic': { rates: [120, 125, 110] },
      duration: { rates: [100, 100, 90], lagP99: 9.5, rssMB: 199, p99At50: [49], p99At1000: 20 },
      'python-onnx': { rates: [100, 90, 90] },
      baseline: { rates: [120, 120, 120] },
      'python-batch': { rates: [100, 100, 100] },
      both: { rates: [60, 62.5, 55], lagP99: 10, rssMB: 200, p99At50: [40, 50] },
      tip: { rates: [100, 100, 100], lagP99: 1, rssMB: 150, p99At50: [10] },
    },
    [http(1, 10_000), http(100, 1_000)],
  );

  it("returns issue 12's targets, and only those", () => {
    expect(checkTargets(met).map((t) => t.target)).toEqual([
      'duration-consumer >= 80% of the fastest pass-through (whichever client)',
      'duration-consumer >= 1.0x the same-model Python peer (python-onnx)',
      'course-model consumer (baseline) >= 1.2x the micro-batched Python peer (python-batch)',
      'both consumers together >= 50% of the fastest pass-through',
      'duration-consumer: e2e p99 <= 20 ms at a fixed 1,000 rides/s',
      'duration: e2e p99 <= 50 ms at 50% of saturation',
      'tip: e2e p99 <= 50 ms at 50% of saturation',
      'both: e2e p99 <= 50 ms at 50% of saturation',
      'duration: event-loop lag p99 <= 10 ms at saturation',
      'tip: event-loop lag p99 <= 10 ms at saturation',
      'both: event-loop lag p99 <= 10 ms at saturation',
      'duration: peak RSS <= 200 MB per consumer',
      'tip: peak RSS <= 200 MB per consumer',
      'both: peak RSS <= 200 MB per consumer',
      'producer >= 10k accepted rides/s at 1 ride per request (64 connections)',
    ]);
  });

  it('returns met for every target at its bound', () => {
    // duration / fastest pass-through: 100/120, 100/125, 90/110 -> median 0.818; both: 0.5, 0.5, 0.5.
    expect(checkTargets(met).filter((t) => t.met !== true)).toEqual([]);
  });

  it('returns missed just past each bound, ratios taken within the round', () => {
    const r = results(
      {
        passthrough: { rates: [100, 100, 100] },
        // Round 2's faster client makes duration's ratio 100/130 there: median 0.77 though duration/passthrough is 1.
        'passthrough-platformatic': { rates: [130, 130, 90] },
        duration: { rates: [100, 100, 100], lagP99: 10.1, rssMB: 201, p99At50: [50.5], p99At1000: 20.5 },
        'python-onnx': { rates: [101, 99, 102] },
        baseline: { rates: [119, 130, 100] },
        'python-batch': { rates: [100, 100, 100] },
        both: { rates: [64, 60, 90], p99At50: [10, 51] },
      },
      [http(1, 9_999), http(100, 50_000)],
    );
    for (const [target, measured] of [
      ['duration-consumer >= 80%', '77%'],
      ['duration-consumer >= 1.0x', '0.99x'],
      ['course-model consumer', '1.19x'],
      ['both consumers together', '49%'],
      ['duration-consumer: e2e p99', '20.5 ms'],
      ['duration: e2e p99', '50.5 ms'],
      ['both: e2e p99', '51.0 ms'],
      ['duration: event-loop', '10.1 ms'],
      ['duration: peak RSS', '201 MB'],
      ['producer', '9,999 rides/s'],
    ] as const)
      expect(verdict(r, target)).toMatchObject({ measured, met: false });
  });

  it('returns not measured (null) for a target whose systems did not run', () => {
    const r = results({ duration: { rates: [100] } });
    expect(verdict(r, 'duration-consumer >= 1.0x').met).toBeNull();
    expect(verdict(r, 'duration-consumer: e2e p99').met).toBeNull();
    expect(verdict(r, 'tip: peak RSS').met).toBeNull();
    expect(verdict(r, 'producer').met).toBeNull();
    expect(verdict(r, 'tip: peak RSS').measured).toBe('n/a');
  });
});
