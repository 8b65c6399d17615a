/**
 * Live accuracy: predictions of every model version joined with the ground truth that arrives later, in event time,
 * with bounded state. Pure (no clock, no I/O): the service feeds it observations in arrival order and publishes what
 * it returns, so a replayed day gives the same figures every time.
 */
import type { PredictionKind } from '@ridestream/features';

/** Champion: the version the consumers serve; shadow: a challenger scored beside it (`<output>.shadow`). */
export type ModelRole = 'champion' | 'shadow';

export interface PredictionObservation {
  readonly kind: PredictionKind;
  readonly model: { readonly name: string; readonly version: string };
  readonly role: ModelRole;
  readonly rideId: string;
  /** Event time of the scored event (pickup for duration, drop-off for tip), epoch ms. */
  readonly eventTimeMs: number;
  readonly value: number;
}

export interface TruthObservation {
  readonly kind: PredictionKind;
  readonly rideId: string;
  /** Event time of the event that carried the truth (drop-off for duration, payment for tip), epoch ms. */
  readonly eventTimeMs: number;
  /** Actual minutes, or the actual tip in dollars. */
  readonly value: number;
}

/** Sums rather than means, so windows add up exactly to the whole (a day's RMSE from its hours' sums). */
export interface ErrorSums {
  /** Predictions seen. */
  predictions: number;
  /** Predictions joined with their truth. */
  matched: number;
  sumSquaredError: number;
  sumAbsoluteError: number;
  sumPrediction: number;
  sumTruth: number;
}

export interface VersionWindow extends Readonly<ErrorSums> {
  readonly kind: PredictionKind;
  readonly model: { readonly name: string; readonly version: string };
  readonly role: ModelRole;
  /** [windowStartMs, windowEndMs) of the predictions' event time. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** NaN when nothing matched. */
  readonly rmse: number;
  readonly mae: number;
  /** matched / predictions: how much of what the version predicted has been judged. */
  readonly coverage: number;
}

export interface AccuracyJoinOptions {
  /** Tumbling window on the prediction's event time. */
  readonly windowMs: number;
  /**
   * How long, in event time past a prediction's event, its truth may still arrive (rides last up to hours; a
   * payment follows the drop-off). Past it the prediction is evicted unmatched and its window can close.
   */
  readonly maxTruthDelayMs: number;
  /** Out-of-order slack: the watermark trails the newest event time seen by this much. */
  readonly allowedLatenessMs: number;
  /**
   * The caller sets the event time every source has reached (`setEventTime`), e.g. the slowest partition's: a
   * reader that drains one partition ahead of the others must not make the others' records late. Default: the
   * newest event time of any observation.
   */
  readonly externalEventTime?: boolean;
}

export interface JoinCounters {
  /** Observations that arrived after their window had closed: counted here, not in any window. */
  late: number;
  /** Truths for which no prediction of any version arrived in time. */
  truthWithoutPrediction: number;
  /** Same ride, kind, version and role seen again (at-least-once redelivery): the first is kept. */
  duplicates: number;
}

const emptySums = (): ErrorSums => ({
  predictions: 0,
  matched: 0,
  sumSquaredError: 0,
  sumAbsoluteError: 0,
  sumPrediction: 0,
  sumTruth: 0,
});

function addPair(s: ErrorSums, predicted: number, truth: number): void {
  const d = predicted - truth;
  s.matched += 1;
  s.sumSquaredError += d * d;
  s.sumAbsoluteError += Math.abs(d);
  s.sumTruth += truth;
}

export function summarize(s: Readonly<ErrorSums>): { rmse: number; mae: number; coverage: number } {
  return {
    rmse: s.matched ? Math.sqrt(s.sumSquaredError / s.matched) : NaN,
    mae: s.matched ? s.sumAbsoluteError / s.matched : NaN,
    coverage: s.predictions ? s.matched / s.predictions : 0,
  };
}

interface Pending {
  readonly kind: PredictionKind;
  readonly rideId: string;
  /** The earliest event time that concerns this ride here: eviction is measured from it. */
  readonly sinceMs: number;
  predictions: { obs: PredictionObservation; window: ErrorSums; matched: boolean }[];
  truth?: TruthObservation;
}

interface WindowState {
  readonly kind: PredictionKind;
  readonly model: { readonly name: string; readonly version: string };
  readonly role: ModelRole;
  readonly startMs: number;
  readonly sums: ErrorSums;
}

/** The whole state, plain data: the service snapshots it so that a restart resumes where it stopped. */
export interface AccuracyJoinSnapshot {
  readonly watermarkMs: number;
  readonly counters: JoinCounters;
  readonly pending: readonly {
    readonly kind: PredictionKind;
    readonly rideId: string;
    readonly sinceMs: number;
    readonly predictions: readonly { readonly obs: PredictionObservation; readonly matched: boolean }[];
    readonly truth?: TruthObservation;
  }[];
  readonly windows: readonly WindowState[];
  readonly totals: readonly Omit<WindowState, 'startMs'>[];
}

const versionKey = (kind: string, model: { name: string; version: string }, role: string) =>
  `${kind}\u0000${model.name}\u0000${model.version}\u0000${role}`;

/**
 * A windowed join of predictions with ground truth. Each pair counts in the window of its prediction's event
 * time; a window closes (is returned by `advance`) once the watermark is past its end plus `maxTruthDelayMs`, so
 * every truth that could still join it has had its chance. State is bounded by the rides of the open windows.
 *
 * @example
 * const join = createAccuracyJoin({ windowMs: 3_600_000, maxTruthDelayMs: 7_200_000, allowedLatenessMs: 60_000 });
 * join.addPrediction(p); join.addTruth(t);
 * for (const w of join.advance()) publish(w); // closed windows, once each
 */
export function createAccuracyJoin(o: AccuracyJoinOptions, from?: AccuracyJoinSnapshot) {
  if (!(o.windowMs > 0) || !(o.maxTruthDelayMs >= 0) || !(o.allowedLatenessMs >= 0))
    throw new RangeError('windowMs must be > 0, maxTruthDelayMs and allowedLatenessMs >= 0');
  let newestMs = from ? from.watermarkMs + o.allowedLatenessMs : -Infinity;
  const counters: JoinCounters = from ? { ...from.counters } : { late: 0, truthWithoutPrediction: 0, duplicates: 0 };
  const pending = new Map<string, Pending>();
  const windows = new Map<string, WindowState>();
  const totals = new Map<string, Omit<WindowState, 'startMs'>>();

  const watermark = () => newestMs - o.allowedLatenessMs;
  const windowStart = (t: number) => Math.floor(t / o.windowMs) * o.windowMs;
  const isClosed = (startMs: number) => startMs + o.windowMs + o.maxTruthDelayMs <= watermark();
  const rideKey = (kind: string, rideId: string) => `${kind}\u0000${rideId}`;

  function windowOf(obs: PredictionObservation, startMs = windowStart(obs.eventTimeMs)): WindowState {
    const key = `${versionKey(obs.kind, obs.model, obs.role)}\u0000${startMs}`;
    let w = windows.get(key);
    if (!w) windows.set(key, (w = { kind: obs.kind, model: obs.model, role: obs.role, startMs, sums: emptySums() }));
    return w;
  }
  function totalOf(obs: Pick<PredictionObservation, 'kind' | 'model' | 'role'>) {
    const key = versionKey(obs.kind, obs.model, obs.role);
    let t = totals.get(key);
    if (!t) totals.set(key, (t = { kind: obs.kind, model: obs.model, role: obs.role, sums: emptySums() }));
    return t;
  }
  function match(p: Pending['predictions'][number], truth: TruthObservation) {
    p.matched = true;
    addPair(p.window, p.obs.value, truth.value);
    addPair(totalOf(p.obs).sums, p.obs.value, truth.value);
  }
  function seen(t: number) {
    if (!o.externalEventTime && t > newestMs) newestMs = t;
  }

  if (from) {
    for (const w of from.windows)
      windows.set(`${versionKey(w.kind, w.model, w.role)}\u0000${w.startMs}`, { ...w, sums: { ...w.sums } });
    for (const t of from.totals) totals.set(versionKey(t.kind, t.model, t.role), { ...t, sums: { ...t.sums } });
    for (const p of from.pending)
      pending.set(rideKey(p.kind, p.rideId), {
        kind: p.kind,
        rideId: p.rideId,
        sinceMs: p.sinceMs,
        truth: p.truth,
        // A matched prediction may outlive its window (its ride is held for a later truth's sake): it never
        // changes a sum again, so a closed window is not reopened for it.
        predictions: p.predictions.map((q) => ({
          obs: q.obs,
          matched: q.matched,
          window: q.matched ? emptySums() : windowOf(q.obs).sums,
        })),
      });
  }

  return {
    addPrediction(obs: PredictionObservation): void {
      const start = windowStart(obs.eventTimeMs);
      seen(obs.eventTimeMs);
      if (isClosed(start)) {
        counters.late += 1;
        return;
      }
      const key = rideKey(obs.kind, obs.rideId);
      let p = pending.get(key);
      if (!p) pending.set(key, (p = { kind: obs.kind, rideId: obs.rideId, sinceMs: obs.eventTimeMs, predictions: [] }));
      const vk = versionKey(obs.kind, obs.model, obs.role);
      if (p.predictions.some((q) => versionKey(q.obs.kind, q.obs.model, q.obs.role) === vk)) {
        counters.duplicates += 1;
        return;
      }
      const w = windowOf(obs, start);
      w.sums.predictions += 1;
      w.sums.sumPrediction += obs.value;
      const t = totalOf(obs).sums;
      t.predictions += 1;
      t.sumPrediction += obs.value;
      const entry = { obs, window: w.sums, matched: false };
      p.predictions.push(entry);
      if (p.truth) match(entry, p.truth);
    },

    addTruth(truth: TruthObservation): void {
      seen(truth.eventTimeMs);
      const key = rideKey(truth.kind, truth.rideId);
      let p = pending.get(key);
      if (!p) {
        pending.set(key, (p = { kind: truth.kind, rideId: truth.rideId, sinceMs: truth.eventTimeMs, predictions: [] }));
      }
      if (p.truth) {
        counters.duplicates += 1;
        return;
      }
      p.truth = truth;
      for (const q of p.predictions) if (!q.matched) match(q, truth);
    },

    /**
     * Evicts what can no longer join and returns the windows that closed, each exactly once. `flush` closes
     * everything (end of a replay, shutdown of a bounded run).
     */
    advance(flush = false): VersionWindow[] {
      const wm = flush ? Infinity : watermark();
      for (const [key, p] of pending) {
        if (p.sinceMs + o.maxTruthDelayMs > wm) continue;
        if (p.truth && p.predictions.length === 0) counters.truthWithoutPrediction += 1;
        pending.delete(key);
      }
      const closed: VersionWindow[] = [];
      for (const [key, w] of windows) {
        if (!flush && !isClosed(w.startMs)) continue;
        windows.delete(key);
        closed.push({
          kind: w.kind,
          model: w.model,
          role: w.role,
          windowStartMs: w.startMs,
          windowEndMs: w.startMs + o.windowMs,
          ...w.sums,
          ...summarize(w.sums),
        });
      }
      return closed.sort((a, b) => a.windowStartMs - b.windowStartMs || a.model.version.localeCompare(b.model.version));
    },

    /** Everything each version has been judged on since the start (survives restarts through the snapshot). */
    totals(): (Omit<VersionWindow, 'windowStartMs' | 'windowEndMs'> & ErrorSums)[] {
      return [...totals.values()].map((t) => ({
        kind: t.kind,
        model: t.model,
        role: t.role,
        ...t.sums,
        ...summarize(t.sums),
      }));
    },

    /** With `externalEventTime`: the event time all sources have reached (never moves back). */
    setEventTime(t: number): void {
      if (t > newestMs) newestMs = t;
    },

    counters: (): Readonly<JoinCounters> => ({ ...counters }),
    watermarkMs: watermark,
    /** Rides held waiting for a prediction or a truth: the state's size. */
    pendingRides: () => pending.size,

    snapshot(): AccuracyJoinSnapshot {
      return {
        watermarkMs: watermark(),
        counters: { ...counters },
        pending: [...pending.values()].map((p) => ({
          kind: p.kind,
          rideId: p.rideId,
          sinceMs: p.sinceMs,
          predictions: p.predictions.map((q) => ({ obs: q.obs, matched: q.matched })),
          ...(p.truth ? { truth: p.truth } : {}),
        })),
        windows: [...windows.values()].map((w) => ({ ...w, sums: { ...w.sums } })),
        totals: [...totals.values()].map((t) => ({ ...t, sums: { ...t.sums } })),
      };
    },
  };
}
export type AccuracyJoin = ReturnType<typeof createAccuracyJoin>;
