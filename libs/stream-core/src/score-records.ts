import {
  FEATURE_SPECS,
  parseRideEvent,
  predictionSerializer,
  type FeatureSpec,
  type PredictionKind,
  type RideEvent,
} from '@ridestream/features';
import { isRetriable } from '@ridestream/runtime';
import type { RecordOutcome } from './outcomes';
import type { SourceRecord } from './records';
import type { Predictor } from './scorer';

/**
 * A kind's feature spec with the event type widened, for code that holds a kind only at run time. Sound because every
 * caller checks `event.type === spec.eventType` before `write` (method parameters are bivariant, which is what lets
 * the assignment compile).
 */
export const specOf = (kind: PredictionKind): FeatureSpec<RideEvent> => FEATURE_SPECS[kind];

/**
 * The one path from validated events to model outputs, for every mode (streams, batch, `/predict`): the kind's
 * feature rows, then one model call per `chunk` events (all at once by default), values in event order. Every event
 * must be of the type the kind scores; another type is a caller's bug and throws a `TypeError`.
 *
 * @example
 * const minutes = await predictEvents(model, rides.map((r) => r.started), 8192);
 */
export async function predictEvents(
  predictor: Pick<Predictor, 'kind' | 'predict'>,
  events: readonly RideEvent[],
  chunk: number = events.length,
): Promise<Float32Array> {
  const spec = specOf(predictor.kind);
  if (events.length <= chunk) return predictor.predict(featureRows(spec, events, 0, events.length), events.length);
  const out = new Float32Array(events.length);
  for (let start = 0; start < events.length; start += chunk) {
    const n = Math.min(chunk, events.length - start);
    out.set(await predictor.predict(featureRows(spec, events, start, n), n), start);
  }
  return out;
}

function featureRows(spec: FeatureSpec<RideEvent>, events: readonly RideEvent[], start: number, n: number) {
  const features = new Float32Array(n * spec.count);
  for (let i = 0; i < n; i++) {
    const event = events[start + i]!;
    if (event.type !== spec.eventType)
      throw new TypeError(`this model scores ${spec.eventType}, got ${event.type} (${event.eventId})`);
    spec.write(event, features, i);
  }
  return features;
}

/**
 * Validates every record, scores the valid events of the predictor's type in one model call, and returns one
 * outcome per record, in order, each scored one with its prediction message already serialised (so that a worker
 * thread does that work too). Never throws for bad input: a malformed record (or a retired v1 event, or a drop-off
 * before its pickup) becomes a `rejected` outcome naming the field; a valid event of another type a `skipped` one.
 *
 * Stateless: each event is scored on its own, whatever came before. A `ride.completed` whose `ride.started` was
 * never seen, or arrives late, is scored (it is self-contained); a duplicate is scored again and gets the same
 * `predictionId` (sha256 of kind, model, version and event id), so a subscriber drops it.
 */
export async function scoreRecords(
  records: readonly SourceRecord[],
  predictor: Predictor,
  now: () => Date = () => new Date(),
): Promise<RecordOutcome[]> {
  const { eventType } = FEATURE_SPECS[predictor.kind];
  const outcomes: (RecordOutcome | undefined)[] = new Array(records.length);
  const valid: { index: number; event: RideEvent }[] = [];
  records.forEach((record, index) => {
    const parsed = parseRideEvent(record.value);
    if (parsed.ok) {
      if (parsed.value.type !== eventType)
        outcomes[index] = { status: 'skipped', record, eventType: parsed.value.type };
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
    const toJson = predictionSerializer(predictor.kind, predictor.model, now());
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
            payload: toJson(event, value),
          }
        : { status: 'rejected', record, code: 'NON_FINITE_PREDICTION', reason: `model returned ${value}`, issues: [] };
    });
  }
  return outcomes as RecordOutcome[];
}
