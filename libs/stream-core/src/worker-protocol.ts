import type { FieldIssue, PredictionKind } from '@ridestream/features';
import { StreamCoreError } from './errors';
import type { RecordOutcome } from './outcomes';
import type { SourceRecord } from './records';
import type { ModelIdentity } from './scorer';

/** `workerData` of the scoring worker. */
export interface WorkerInit {
  readonly kind: PredictionKind;
  readonly modelPath: string;
  /** The registry's identity of the file, when it was resolved through MLflow (stamped instead of the card's). */
  readonly registry?: { readonly name: string; readonly version: string };
}

/**
 * A chunk to score: the values concatenated into one buffer (transferred, not copied) and their lengths, -1 for a
 * null value. Keys, headers and positions stay on the main thread.
 */
export type ToWorker =
  | { readonly type: 'score'; readonly id: number; readonly data: Uint8Array; readonly lengths: Int32Array }
  | { readonly type: 'close' };

/** One outcome without its record: tuples, because structured clone is cheaper on arrays of primitives. */
export type WireOutcome =
  | readonly [status: 0, rideId: string, value: number, payload: string]
  | readonly [status: 1, code: string, reason: string, issues: readonly FieldIssue[]]
  | readonly [status: 2, code: string | undefined, message: string]
  | readonly [status: 3, eventType: string];

export type FromWorker =
  | { readonly type: 'ready'; readonly model: ModelIdentity }
  | { readonly type: 'failed'; readonly error: { readonly code: string; readonly message: string } }
  | { readonly type: 'scored'; readonly id: number; readonly outcomes: readonly WireOutcome[] };

export function toWire(o: RecordOutcome): WireOutcome {
  switch (o.status) {
    case 'scored':
      return [0, o.rideId, o.value, o.payload];
    case 'rejected':
      return [1, o.code, o.reason, o.issues];
    case 'skipped':
      return [3, o.eventType];
    case 'retry': {
      const e = o.error as { code?: string; message?: string } | undefined;
      return [2, e?.code, e?.message ?? String(o.error)];
    }
  }
}

export function fromWire(w: WireOutcome, record: SourceRecord): RecordOutcome {
  switch (w[0]) {
    case 0:
      return { status: 'scored', record, rideId: w[1], value: w[2], payload: w[3] };
    case 1:
      return { status: 'rejected', record, code: w[1], reason: w[2], issues: w[3] };
    case 2:
      // Retriable as it was in the worker: only retriable errors become 'retry' outcomes there.
      return {
        status: 'retry',
        record,
        error: new StreamCoreError('SCORING_RETRY', w[2], { retriable: true, context: { workerCode: w[1] } }),
      };
    case 3:
      return { status: 'skipped', record, eventType: w[1] };
  }
}

/** Packs the chunk's values for `postMessage` with transfer: one copy into a fresh buffer, no per-record objects. */
export function packValues(records: readonly SourceRecord[]): { data: Uint8Array; lengths: Int32Array } {
  const lengths = new Int32Array(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const v = records[i]!.value;
    lengths[i] = v ? v.length : -1;
    total += v ? v.length : 0;
  }
  const data = new Uint8Array(total);
  let offset = 0;
  for (const r of records) {
    if (!r.value) continue;
    data.set(r.value, offset);
    offset += r.value.length;
  }
  return { data, lengths };
}
