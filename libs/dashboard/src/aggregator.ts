/**
 * The dashboard's state: counts what the stream readers and the scraper report, and cuts it into one `Frame` per
 * tick. Pure (no I/O, time passed in), so every chart's arithmetic is unit-tested without a broker.
 */
import type { SeenDeadLetter, SeenMonitorRecord, SeenPrediction } from './decode';
import type { Frame, InstanceStatus, PredictionRow, ReasonStatus, Snapshot } from './frame';
import { createMonitorPanel } from './monitor-panel';
import type { Sample } from './prom-text';
import { bucketDelta, histogramQuantile, type Bucket } from './quantile';

export interface ScrapeTarget {
  readonly name: string;
  readonly url: string;
}

export type ScrapeResult = { readonly samples: readonly Sample[] } | { readonly error: string };

export interface AggregatorOptions {
  /** Shown in this order, as "not scraped yet" until their first scrape. */
  readonly targets?: readonly ScrapeTarget[];
  /** Frames kept for a page that connects later (one per tick). */
  readonly historyFrames: number;
  /** Latest predictions kept for a page that connects later. */
  readonly latestRows: number;
  /** The model monitor's metrics stream, when the dashboard reads one (the frames' `monitor` is null otherwise). */
  readonly monitorSource?: string;
  /** Closed windows kept in the RMSE history (default 48: two days of 1 h windows). */
  readonly monitorWindows?: number;
}

export const PERCENTILES = [50, 95, 99] as const;
const E2E_BUCKETS = 'ridestream_end_to_end_seconds_bucket';

interface TargetState {
  instance: InstanceStatus;
  lag: Record<string, number>;
  e2eMs: Record<string, number>;
  /** Per consumer label, the buckets of the previous scrape. */
  buckets: Map<string, Bucket[]>;
}

const roleOf = (s: Sample) => s.labels.consumer ?? s.labels.service;

function lagOf(target: ScrapeTarget, samples: readonly Sample[]): Record<string, number> {
  const lag: Record<string, number> = {};
  for (const s of samples) {
    const who = s.labels.consumer ?? target.name;
    if (s.name === 'ridestream_consumer_lag' && s.labels.partition !== undefined)
      lag[`${who} p${s.labels.partition}`] = s.value;
    if (s.name === 'ridestream_kinesis_millis_behind_latest' && s.labels.shard !== undefined)
      lag[`${who} ${s.labels.shard} ms`] = s.value;
  }
  return lag;
}

function bucketsByConsumer(target: ScrapeTarget, samples: readonly Sample[]): Map<string, Bucket[]> {
  const out = new Map<string, Bucket[]>();
  for (const s of samples) {
    if (s.name !== E2E_BUCKETS || s.labels.le === undefined) continue;
    const who = s.labels.consumer ?? target.name;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    out.set(who, [...(out.get(who) ?? []), { le, count: s.value }]);
  }
  return out;
}

/**
 * @example
 * const agg = createAggregator({ historyFrames: 600, latestRows: 20 });
 * agg.rides(100); agg.prediction(p); const frame = agg.tick(Date.now());
 */
export function createAggregator(o: AggregatorOptions) {
  let rideTotal = 0;
  const predictionTotals = new Map<string, number>();
  const deadLetters = new Map<string, ReasonStatus>();
  const targets = new Map<string, TargetState>(
    (o.targets ?? []).map((t) => [
      t.name,
      { instance: { ...t, up: false, error: 'not scraped yet' }, lag: {}, e2eMs: {}, buckets: new Map() },
    ]),
  );
  const latest: PredictionRow[] = [];
  let fresh: PredictionRow[] = [];
  const frames: Frame[] = [];
  let previous: { at: number; rides: number; predictions: Map<string, number> } | undefined;
  const monitor = o.monitorSource ? createMonitorPanel(o.monitorSource, o.monitorWindows ?? 48) : undefined;

  return {
    /** `n` records seen on the rides stream. */
    rides(n: number): void {
      rideTotal += n;
    },
    prediction(p: SeenPrediction): void {
      const key = `${p.kind} ${p.model.name}@${p.model.version}`;
      predictionTotals.set(key, (predictionTotals.get(key) ?? 0) + 1);
      const row: PredictionRow = {
        kind: p.kind,
        model: `${p.model.name}@${p.model.version}`,
        rideId: p.rideId,
        eventTime: p.eventTime,
        scoredAt: p.scoredAt,
        value: p.value,
      };
      latest.unshift(row);
      latest.length = Math.min(latest.length, o.latestRows);
      fresh.unshift(row);
      fresh.length = Math.min(fresh.length, o.latestRows);
    },
    deadLetter(d: SeenDeadLetter): void {
      const before = deadLetters.get(d.code);
      const add = (list: readonly string[] = [], v?: string) => (v && !list.includes(v) ? [...list, v] : list);
      deadLetters.set(d.code, {
        count: (before?.count ?? 0) + 1,
        reason: d.reason,
        consumers: add(before?.consumers, d.consumer),
        modelVersions: add(before?.modelVersions, d.modelVersion),
      });
    },
    /** A closed window from the monitor's metrics stream (ignored when the dashboard reads none). */
    monitorRecord(r: SeenMonitorRecord): void {
      monitor?.record(r);
    },
    scraped(target: ScrapeTarget, result: ScrapeResult): void {
      const state = targets.get(target.name) ?? {
        instance: { ...target, up: false },
        lag: {},
        e2eMs: {},
        buckets: new Map<string, Bucket[]>(),
      };
      targets.set(target.name, state);
      if ('error' in result) {
        // A service that does not answer has no current lag or latency; its last buckets stay for when it is back.
        Object.assign(state, { instance: { ...target, up: false, error: result.error }, lag: {}, e2eMs: {} });
        return;
      }
      const role = result.samples.map(roleOf).find(Boolean);
      const modelVersion = result.samples.find((s) => s.name === 'ridestream_model_info')?.labels.version;
      state.instance = { ...target, up: true, ...(role ? { role } : {}), ...(modelVersion ? { modelVersion } : {}) };
      state.lag = lagOf(target, result.samples);
      state.e2eMs = {};
      for (const [who, buckets] of bucketsByConsumer(target, result.samples)) {
        const delta = bucketDelta(state.buckets.get(who), buckets);
        state.buckets.set(who, buckets);
        for (const p of PERCENTILES) {
          const seconds = histogramQuantile(p / 100, delta);
          if (seconds !== undefined) state.e2eMs[`${who} p${p}`] = seconds * 1000;
        }
      }
    },
    /** The frame for `nowMs`; rates are per second since the previous tick. */
    tick(nowMs: number): Frame {
      const seconds = previous ? Math.max((nowMs - previous.at) / 1000, 1e-3) : 1;
      const rate = (now: number, before: number | undefined) => (previous ? (now - (before ?? 0)) / seconds : 0);
      const states = [...targets.values()];
      const frame: Frame = {
        t: nowMs / 1000,
        rides: { total: rideTotal, perSec: rate(rideTotal, previous?.rides) },
        predictions: Object.fromEntries(
          [...predictionTotals].map(([k, total]) => [k, { total, perSec: rate(total, previous?.predictions.get(k)) }]),
        ),
        deadLetters: Object.fromEntries(deadLetters),
        lag: Object.assign({}, ...states.map((s) => s.lag)),
        e2eMs: Object.assign({}, ...states.map((s) => s.e2eMs)),
        instances: states.map((s) => s.instance),
        latest: fresh,
        monitor: monitor?.status() ?? null,
      };
      fresh = [];
      previous = { at: nowMs, rides: rideTotal, predictions: new Map(predictionTotals) };
      frames.push(frame);
      if (frames.length > o.historyFrames) frames.splice(0, frames.length - o.historyFrames);
      return frame;
    },
    /** What a page that connects now gets first. */
    snapshot(transport: string): Snapshot {
      // The rows are in `latest`; repeating them in every old frame would only make the snapshot heavy.
      return { transport, frames: frames.map((f) => ({ ...f, latest: [] })), latest: [...latest] };
    },
  };
}
export type Aggregator = ReturnType<typeof createAggregator>;
