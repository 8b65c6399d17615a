/**
 * The monitor's core, transport-free: observations in (stream name + bytes, in arrival order), closed windows out
 * (records for the `model-metrics` stream), the whole state as a plain-data snapshot. The app around it only reads
 * streams, publishes what `advance` returns and writes snapshots.
 */
import { FEATURE_SPECS, parseRideEvent, type PredictionKind, type RideEvent } from '@ridestream/features';
import { createDriftWindow, referenceProfileSchema, type ColumnDrift, type ReferenceProfile } from './drift';
import { createAccuracyJoin, type AccuracyJoinOptions, type AccuracyJoinSnapshot, type VersionWindow } from './join';
import { predictionObservation, streamRole, truthOf, type WatchedStreams } from './observations';

/** One record of the `model-metrics` stream. `key` is stable per window, so a re-published window replaces itself. */
export type MonitorRecord =
  | {
      readonly key: string;
      readonly value: { readonly type: 'accuracy'; readonly windowStart: string; readonly windowEnd: string } & Omit<
        VersionWindow,
        'windowStartMs' | 'windowEndMs'
      >;
    }
  | {
      readonly key: string;
      readonly value: {
        readonly type: 'drift';
        readonly kind: PredictionKind;
        readonly windowStart: string;
        readonly windowEnd: string;
        readonly columns: readonly ColumnDrift[];
      };
    };

export interface MonitorOptions {
  readonly streams: WatchedStreams;
  readonly join: AccuracyJoinOptions;
  /** Reference profiles logged with the served models; a kind without one gets no drift report. */
  readonly profiles?: Partial<Record<PredictionKind, ReferenceProfile>>;
}

export interface MonitorCounters {
  readonly predictions: number;
  readonly truths: number;
  /** Messages that were not what their stream promises (never dead-lettered here: the monitor only watches). */
  readonly undecodable: number;
}

interface DriftState {
  readonly kind: PredictionKind;
  readonly startMs: number;
  readonly window: ReturnType<typeof createDriftWindow>;
}

export interface MonitorSnapshot {
  readonly join: AccuracyJoinSnapshot;
  readonly sourceTimes?: Readonly<Record<string, number>>;
  readonly counters: MonitorCounters;
  readonly drift: readonly {
    readonly kind: PredictionKind;
    readonly startMs: number;
    readonly histograms: ReturnType<ReturnType<typeof createDriftWindow>['state']>;
  }[];
}

/** Which event's features a kind's drift is measured on: the event that kind scores. */
const SCORED_EVENT: Record<PredictionKind, string> = {
  duration: FEATURE_SPECS.duration.eventType,
  tip: FEATURE_SPECS.tip.eventType,
};

const sourceKey = (stream: string, source: string) => `${stream}\u0000${source}`;

export function parseReferenceProfile(json: unknown): ReferenceProfile {
  return referenceProfileSchema.parse(json);
}

/**
 * Live accuracy per model version (champion and shadow) and drift per kind, in event time.
 *
 * @example
 * const monitor = createMonitor({ streams, join: { windowMs: 3_600_000, maxTruthDelayMs: 7_200_000, allowedLatenessMs: 60_000 } });
 * monitor.observe('rides', bytes); monitor.observe('ride-duration-predictions', bytes);
 * for (const r of monitor.advance()) publish(r.key, JSON.stringify(r.value));
 */
export function createMonitor(o: MonitorOptions, from?: MonitorSnapshot) {
  // Event time per source (a topic partition): the join moves on only as far as the slowest one has come, so a
  // reader that drains one partition ahead of the others never makes the others' records late.
  const join = createAccuracyJoin({ ...o.join, externalEventTime: true }, from?.join);
  const sourceTimes = new Map<string, number>(Object.entries(from?.sourceTimes ?? {}));
  // Sources with nothing new for a while (an empty partition, a stream that ended) stop holding the others back.
  const idle = new Set<string>();
  function moveEventTime(): void {
    const active = [...sourceTimes].filter(([s]) => !idle.has(s)).map(([, t]) => t);
    if (active.length) join.setEventTime(Math.min(...active));
  }
  const eventTimeOf = (bytes: Uint8Array | string): number | undefined => {
    try {
      const v = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')) as {
        occurredAt?: unknown;
        eventTime?: unknown;
      };
      const t = Date.parse(String(v.occurredAt ?? v.eventTime));
      return Number.isFinite(t) ? t : undefined;
    } catch {
      return undefined;
    }
  };
  function advanceSource(source: string, t: number | undefined): void {
    if (t === undefined) return;
    if (t > (sourceTimes.get(source) ?? -Infinity)) sourceTimes.set(source, t);
    moveEventTime();
  }
  let counters: MonitorCounters = from?.counters ?? { predictions: 0, truths: 0, undecodable: 0 };
  const drift = new Map<string, DriftState>();
  const windowStart = (t: number) => Math.floor(t / o.join.windowMs) * o.join.windowMs;

  /**
   * The open drift window of `kind` at `startMs`. None for a window the watermark has passed: it was published
   * already, and a late record would open a new one under the same key with only the stragglers in it, which
   * would replace the whole window for anyone reading the stream as a table.
   */
  function driftOf(kind: PredictionKind, startMs: number, restoring = false): DriftState | undefined {
    const profile = o.profiles?.[kind];
    if (!profile) return undefined;
    if (!restoring && startMs + o.join.windowMs <= join.watermarkMs()) return undefined;
    const key = `${kind}\u0000${startMs}`;
    let d = drift.get(key);
    if (!d) drift.set(key, (d = { kind, startMs, window: createDriftWindow(profile) }));
    return d;
  }
  for (const d of from?.drift ?? []) driftOf(d.kind, d.startMs, true)?.window.restore(d.histograms);

  /** The features of the event a kind scores, by column name, for its drift window. */
  function observeFeatures(event: RideEvent): void {
    for (const kind of ['duration', 'tip'] as const) {
      if (event.type !== SCORED_EVENT[kind]) continue;
      const d = driftOf(kind, windowStart(Date.parse(event.occurredAt)));
      if (!d) continue;
      const spec = FEATURE_SPECS[kind];
      const row = new Float32Array(spec.count);
      // The type check above is what makes this event the spec's own.
      (spec.write as (e: typeof event, out: Float32Array, row: number) => void)(event, row, 0);
      const values: Record<string, number> = {};
      spec.names.forEach((name, i) => (values[name] = row[i]!));
      const missing = new Set<string>();
      if ('passengerCount' in event && event.passengerCount === null) missing.add('passenger_count');
      d.window.observe(values, missing);
    }
  }

  return {
    /**
     * One message of a watched stream, from `source` (its partition or shard: event time is tracked per source);
     * returns what it was taken as.
     */
    observe(
      stream: string,
      bytes: Uint8Array | string,
      source = stream,
    ): 'prediction' | 'truth' | 'event' | 'ignored' | 'undecodable' {
      const role = streamRole(stream, o.streams);
      if (!role) return 'ignored';
      const key = sourceKey(stream, source);
      idle.delete(key);
      if (role.what === 'prediction') {
        const p = predictionObservation(bytes, role.role);
        // Decoded once: its event time is the prediction's (a message that is no prediction may still carry one).
        advanceSource(key, p ? p.eventTimeMs : eventTimeOf(bytes));
        if (!p) return ((counters = { ...counters, undecodable: counters.undecodable + 1 }), 'undecodable');
        join.addPrediction(p);
        counters = { ...counters, predictions: counters.predictions + 1 };
        if (role.role === 'champion')
          driftOf(p.kind, windowStart(p.eventTimeMs))?.window.observe({ prediction: p.value });
        return 'prediction';
      }
      const parsed = parseRideEvent(typeof bytes === 'string' ? bytes : Buffer.from(bytes));
      advanceSource(key, parsed.ok ? Date.parse(parsed.value.occurredAt) : eventTimeOf(bytes));
      if (!parsed.ok) return 'event';
      observeFeatures(parsed.value);
      const t = truthOf(parsed.value);
      if (!t) return 'event';
      join.addTruth(t);
      counters = { ...counters, truths: counters.truths + 1 };
      return 'truth';
    },

    /** Windows that closed since the last call (all of them with `flush`), as records to publish. */
    advance(flush = false): MonitorRecord[] {
      const records: MonitorRecord[] = join.advance(flush).map((w) => {
        const { windowStartMs, windowEndMs, ...rest } = w;
        return {
          key: `accuracy:${w.kind}:${w.model.name}@${w.model.version}:${w.role}:${windowStartMs}`,
          value: {
            type: 'accuracy' as const,
            windowStart: new Date(windowStartMs).toISOString(),
            windowEnd: new Date(windowEndMs).toISOString(),
            ...rest,
          },
        };
      });
      const wm = join.watermarkMs();
      for (const [key, d] of drift) {
        if (!flush && d.startMs + o.join.windowMs > wm) continue;
        drift.delete(key);
        records.push({
          key: `drift:${d.kind}:${d.startMs}`,
          value: {
            type: 'drift',
            kind: d.kind,
            windowStart: new Date(d.startMs).toISOString(),
            windowEnd: new Date(d.startMs + o.join.windowMs).toISOString(),
            columns: d.window.report(),
          },
        });
      }
      return records;
    },

    /**
     * The sources (stream + partition) to wait for: until each has been seen (or is idle), event time does not
     * move, so the first partition read cannot make the others' records late.
     */
    expectSources(sources: readonly { stream: string; source: string }[]): void {
      for (const s of sources)
        if (!sourceTimes.has(sourceKey(s.stream, s.source))) sourceTimes.set(sourceKey(s.stream, s.source), -Infinity);
    },
    /** A source with nothing new for a while no longer holds event time back (until it speaks again). */
    setIdle(stream: string, source: string, isIdle: boolean): void {
      if (isIdle) idle.add(sourceKey(stream, source));
      else idle.delete(sourceKey(stream, source));
      moveEventTime();
    },

    totals: () => join.totals(),
    joinCounters: () => join.counters(),
    counters: () => counters,
    pendingRides: () => join.pendingRides(),
    watermarkMs: () => join.watermarkMs(),

    snapshot(): MonitorSnapshot {
      return {
        join: join.snapshot(),
        sourceTimes: Object.fromEntries(sourceTimes),
        counters,
        drift: [...drift.values()].map((d) => ({ kind: d.kind, startMs: d.startMs, histograms: d.window.state() })),
      };
    },
  };
}
export type Monitor = ReturnType<typeof createMonitor>;
