import type { FieldIssue } from '@ridestream/features';
import type { SourceRecord } from './records';

/** What happened to one record. Outcomes are data; `planBatch` alone decides what is published and committed. */
export type RecordOutcome =
  | {
      readonly status: 'scored';
      readonly record: SourceRecord;
      readonly rideId: string;
      readonly value: number;
      /** The prediction message as published (JSON of a contract `Prediction`), built where it was scored. */
      readonly payload: string;
    }
  | {
      readonly status: 'rejected';
      readonly record: SourceRecord;
      readonly code: string;
      readonly reason: string;
      readonly issues: readonly FieldIssue[];
    }
  /**
   * A valid event of a type this scorer does not score (a tip scorer handed a `ride.started`): committed and
   * counted, nothing published, never a dead letter.
   */
  | { readonly status: 'skipped'; readonly record: SourceRecord; readonly eventType: string }
  /** Transient failure: this record and everything after it in the partition must be processed again. */
  | { readonly status: 'retry'; readonly record: SourceRecord; readonly error: unknown };

export interface BatchPlan {
  /** Records whose predictions go to the output stream. */
  readonly scored: readonly Extract<RecordOutcome, { status: 'scored' }>[];
  /** Records that go to the dead-letter stream with their reason. */
  readonly deadLetters: readonly Extract<RecordOutcome, { status: 'rejected' }>[];
  /** Records handled by doing nothing (another event type): committed with the rest. */
  readonly skipped: readonly Extract<RecordOutcome, { status: 'skipped' }>[];
  /** The last position that may be committed once the above are published, or null when nothing may be. */
  readonly commitThrough: string | null;
  /** The first position that must be delivered again (a transient failure), or null. */
  readonly retryFrom: string | null;
}

/**
 * Decides a batch from its outcomes, which are in partition order. Only the contiguous prefix before the
 * first transient failure is published and committed: committing past a record that was neither scored,
 * dead-lettered nor skipped would lose it. Pure; table-tested without a broker.
 */
export function planBatch(outcomes: readonly RecordOutcome[]): BatchPlan {
  const scored: Extract<RecordOutcome, { status: 'scored' }>[] = [];
  const deadLetters: Extract<RecordOutcome, { status: 'rejected' }>[] = [];
  const skipped: Extract<RecordOutcome, { status: 'skipped' }>[] = [];
  let commitThrough: string | null = null;
  for (const outcome of outcomes) {
    if (outcome.status === 'retry')
      return { scored, deadLetters, skipped, commitThrough, retryFrom: outcome.record.position };
    if (outcome.status === 'scored') scored.push(outcome);
    else if (outcome.status === 'skipped') skipped.push(outcome);
    else deadLetters.push(outcome);
    commitThrough = outcome.record.position;
  }
  return { scored, deadLetters, skipped, commitThrough, retryFrom: null };
}
