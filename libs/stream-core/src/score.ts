import {
  FEATURE_COUNT,
  makePrediction,
  parseRideEvent,
  writeFeatures,
  type PredictionKind,
  type RideEvent,
} from '@ridestream/features';
import type { Model } from '@ridestream/model';
import type { RecordOutcome } from './outcomes';
import type { SourceRecord } from './records';

/** Which model scored a record: stamped on predictions and dead letters. */
export interface ModelIdentity {
  readonly name: string;
  readonly version: string;
  /** Of the ONNX file, for startup logs. */
  readonly sha256?: string;
}

/** A batched model call: what `scoreRecords` needs from a model. */
export interface Predictor {
  readonly kind: PredictionKind;
  readonly model: ModelIdentity;
  /**
   * The event type this predictor scores (contract v2: `ride.started` for duration, `ride.completed` for tip). A
   * valid event that names another type becomes a `skipped` outcome. Unset, or an event without a type (contract
   * v1): every valid event is scored.
   */
  readonly eventType?: string;
  predict(features: Float32Array, rows: number): Promise<Float32Array>;
}

/**
 * The one path from validated events to model outputs, for every mode (streams, batch, `/predict`): the contract's
 * feature rows, then one model call per `chunk` events (all at once by default), values in event order.
 *
 * @example
 * const minutes = await predictEvents(model, rides.map((r) => r.event), 8192);
 */
export async function predictEvents(
  predictor: Pick<Predictor, 'predict'>,
  events: readonly RideEvent[],
  chunk: number = events.length,
): Promise<Float32Array> {
  if (events.length <= chunk) return predictor.predict(featureRows(events, 0, events.length), events.length);
  const out = new Float32Array(events.length);
  for (let start = 0; start < events.length; start += chunk) {
    const n = Math.min(chunk, events.length - start);
    out.set(await predictor.predict(featureRows(events, start, n), n), start);
  }
  return out;
}

function featureRows(events: readonly RideEvent[], start: number, n: number): Float32Array {
  const features = new Float32Array(n * FEATURE_COUNT);
  for (let i = 0; i < n; i++) writeFeatures(events[start + i]!, features, i);
  return features;
}

/** The `type` of a contract event, or undefined for a v1 event (which has none). */
const eventTypeOf = (event: RideEvent): string | undefined => {
  const type = (event as { readonly type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
};

/**
 * What the pipeline scores records with, whatever runs the model: this thread (`modelScorer`) or a worker thread
 * (`startScoringWorker`). `score` never rejects for bad input (a malformed record is a `rejected` outcome); it
 * rejects only when the scorer itself is broken.
 */
export interface Scorer {
  readonly kind: PredictionKind;
  readonly model: ModelIdentity;
  score(records: readonly SourceRecord[]): Promise<RecordOutcome[]>;
  /** Releases the model (and the thread running it). Memoised by the implementations. */
  dispose(): Promise<void>;
  /** Rejects if the scorer dies on its own (a worker thread crashed): the service must then exit non-zero. */
  readonly failed?: Promise<never>;
  /**
   * How many chunks a caller should hand over before awaiting the first. 1 for an in-thread scorer, whose work
   * runs on the caller's thread anyway; more for a worker, so that it always has the next chunk queued instead of
   * waiting for a thread hop after each one.
   */
  readonly lookahead: number;
}

/**
 * The in-thread scorer of a loaded model: parse, validate, features and `session.run` on the calling thread.
 * Also a `Predictor`, for callers with feature rows already built (the prediction API).
 */
export function modelScorer(
  kind: PredictionKind,
  model: Pick<Model, 'info' | 'predict' | 'dispose'>,
  /** The event type it scores; others become `skipped` (see `Predictor.eventType`). */
  eventType?: string,
): Scorer & Predictor {
  return predictorScorer(
    {
      kind,
      model: { name: model.info.name, version: model.info.version, sha256: model.info.sha256 },
      eventType,
      predict: (f, n) => model.predict(f, n),
    },
    () => model.dispose(),
  );
}

/** An in-thread scorer over any batched predict (a loaded model, a test double, a bench adapter). */
export function predictorScorer(
  predictor: Predictor,
  dispose: () => Promise<void> = async () => {},
): Scorer & Predictor {
  return {
    ...predictor,
    score: async (records) => {
      // A macrotask boundary first: with several partitions in flight, their chunks would otherwise run back to back
      // in one chain of microtasks, and timers, heartbeats and probes would wait for all of them.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return scoreRecords(records, predictor);
    },
    dispose,
    lookahead: 1,
  };
}

/** The error's own `retriable` flag decides; unknown errors are treated as permanent (dead-letter, move on). */
const isRetriable = (err: unknown) => (err as { retriable?: unknown } | null)?.retriable === true;

/**
 * Validates every record, scores all valid ones of the predictor's event type in one model call, and returns one
 * outcome per record, in order, each scored one with its prediction message already serialised (so that a worker
 * thread does that work too). Never throws for bad input: a malformed record becomes a `rejected` outcome naming
 * the field; a valid event of another type a `skipped` one.
 */
export async function scoreRecords(
  records: readonly SourceRecord[],
  predictor: Predictor,
  now: () => Date = () => new Date(),
): Promise<RecordOutcome[]> {
  const outcomes: (RecordOutcome | undefined)[] = new Array(records.length);
  const valid: { index: number; event: RideEvent }[] = [];
  records.forEach((record, index) => {
    const parsed = parseRideEvent(record.value);
    if (parsed.ok) {
      const type = eventTypeOf(parsed.value);
      if (predictor.eventType !== undefined && type !== undefined && type !== predictor.eventType)
        outcomes[index] = { status: 'skipped', record, eventType: type };
      else valid.push({ index, event: parsed.value });
    } else
      outcomes[index] = {
        status: 'rejected',
        record,
        code: parsed.error.code,
        reason: parsed.error.message,
        issues: parsed.error.issues,
      };
  });
  if (valid.length > 0) {
    let values: Float32Array | undefined;
    let failure: unknown;
    try {
      values = await predictEvents(
        predictor,
        valid.map((v) => v.event),
      );
    } catch (err) {
      failure = err;
    }
    const scoredAt = now();
    valid.forEach(({ index, event }, row) => {
      const record = records[index]!;
      if (!values) {
        outcomes[index] = isRetriable(failure)
          ? { status: 'retry', record, error: failure }
          : {
              status: 'rejected',
              record,
              code: (failure as { code?: string })?.code ?? 'SCORING_FAILED',
              reason: `scoring failed: ${(failure as Error)?.message ?? String(failure)}`,
              issues: [],
            };
        return;
      }
      const value = values[row]!;
      outcomes[index] = Number.isFinite(value)
        ? {
            status: 'scored',
            record,
            rideId: event.rideId,
            value,
            payload: JSON.stringify(
              makePrediction({
                kind: predictor.kind,
                model: predictor.model,
                rideId: event.rideId,
                eventTime: event.pickupAt,
                value,
                scoredAt,
              }),
            ),
          }
        : { status: 'rejected', record, code: 'NON_FINITE_PREDICTION', reason: `model returned ${value}`, issues: [] };
    });
  }
  return outcomes as RecordOutcome[];
}
