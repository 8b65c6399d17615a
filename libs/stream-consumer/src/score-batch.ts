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

/** What the pipeline needs from a model: its identity and a batched predict. */
export interface Scorer {
  readonly kind: PredictionKind;
  readonly model: { readonly name: string; readonly version: string };
  predict(features: Float32Array, rows: number): Promise<Float32Array>;
}

/** The scorer of a loaded model: its registry name and version (stamped on predictions) and its batched predict. */
export function modelScorer(kind: PredictionKind, model: Pick<Model, 'info' | 'predict'>): Scorer {
  return {
    kind,
    model: { name: model.info.name, version: model.info.version },
    predict: (f, n) => model.predict(f, n),
  };
}

/** The error's own `retriable` flag decides; unknown errors are treated as permanent (dead-letter, move on). */
const isRetriable = (err: unknown) => (err as { retriable?: unknown } | null)?.retriable === true;

/**
 * Validates every record, scores all valid ones in one model call, and returns one outcome per record, in order.
 * Never throws for bad input: a malformed record becomes a `rejected` outcome naming the field.
 */
export async function scoreRecords(
  records: readonly SourceRecord[],
  scorer: Scorer,
  now: () => Date = () => new Date(),
): Promise<RecordOutcome[]> {
  const outcomes: (RecordOutcome | undefined)[] = new Array(records.length);
  const valid: { index: number; event: RideEvent }[] = [];
  records.forEach((record, index) => {
    const parsed = parseRideEvent(record.value);
    if (parsed.ok) valid.push({ index, event: parsed.value });
    else
      outcomes[index] = {
        status: 'rejected',
        record,
        code: parsed.error.code,
        reason: parsed.error.message,
        issues: parsed.error.issues,
      };
  });
  if (valid.length > 0) {
    const features = new Float32Array(valid.length * FEATURE_COUNT);
    valid.forEach((v, row) => writeFeatures(v.event, features, row));
    let values: Float32Array | undefined;
    let failure: unknown;
    try {
      values = await scorer.predict(features, valid.length);
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
            prediction: makePrediction({
              kind: scorer.kind,
              model: scorer.model,
              rideId: event.rideId,
              eventTime: event.pickupAt,
              value,
              scoredAt,
            }),
          }
        : { status: 'rejected', record, code: 'NON_FINITE_PREDICTION', reason: `model returned ${value}`, issues: [] };
    });
  }
  return outcomes as RecordOutcome[];
}
