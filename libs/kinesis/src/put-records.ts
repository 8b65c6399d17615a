import type { OutgoingMessage } from '@ridestream/stream-core';
import { KinesisTransportError } from './errors';

/** One record as PutRecords takes it. */
export interface PutEntry {
  readonly stream: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Data + partition key bytes: what the per-record and per-request limits count. */
  readonly size: number;
}

/** The PutRecords limits (AWS Kinesis quotas); the partition key counts towards the byte limits. */
export const PUT_RECORDS_LIMITS = {
  records: 500,
  requestBytes: 5 * 1024 * 1024,
  recordBytes: 1024 * 1024,
  partitionKeyChars: 256,
} as const;
export type PutRecordsLimits = { readonly [K in keyof typeof PUT_RECORDS_LIMITS]: number };

/**
 * Maps a message onto a Kinesis record: its stream, key = partition key. Kinesis records have no headers, so
 * headers are not carried (dead letters are wrapped in an envelope first, see `toDeadLetterEnvelope`).
 * Throws a non-retriable error for a record Kinesis would reject whatever the retry.
 */
export function toPutEntry(m: OutgoingMessage, limits: PutRecordsLimits = PUT_RECORDS_LIMITS): PutEntry {
  const data = typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value;
  // Kinesis counts the key in Unicode characters, not UTF-16 units.
  const keyChars = [...m.key].length;
  if (keyChars < 1 || keyChars > limits.partitionKeyChars) {
    throw new KinesisTransportError(
      'RECORD_TOO_LARGE',
      `partition key must be 1-${limits.partitionKeyChars} characters, got ${keyChars}`,
      { context: { stream: m.stream } },
    );
  }
  const size = data.byteLength + Buffer.byteLength(m.key, 'utf8');
  if (size > limits.recordBytes) {
    throw new KinesisTransportError(
      'RECORD_TOO_LARGE',
      `record of ${size} bytes (data + partition key) exceeds the ${limits.recordBytes}-byte Kinesis limit`,
      { context: { stream: m.stream } },
    );
  }
  return { stream: m.stream, partitionKey: m.key, data, size };
}

/**
 * Cuts entries into PutRecords requests: one stream per request (PutRecords names one stream), at most
 * `records` entries and `requestBytes` bytes each, keeping the order of each stream's entries. Pure.
 */
export function batchPutEntries(
  entries: readonly PutEntry[],
  limits: PutRecordsLimits = PUT_RECORDS_LIMITS,
): PutEntry[][] {
  const byStream = new Map<string, PutEntry[]>();
  for (const e of entries) {
    let list = byStream.get(e.stream);
    if (!list) byStream.set(e.stream, (list = []));
    list.push(e);
  }
  const batches: PutEntry[][] = [];
  for (const list of byStream.values()) {
    let batch: PutEntry[] = [];
    let bytes = 0;
    for (const e of list) {
      if (batch.length > 0 && (batch.length >= limits.records || bytes + e.size > limits.requestBytes)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(e);
      bytes += e.size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  return batches;
}

/** Per-record results of one PutRecords call, in request order (`errorCode` set = that record was not written). */
export interface PutResult {
  readonly errorCode?: string;
}

/**
 * The entries to send again after a PutRecords response: exactly those whose result carries an error code
 * (ProvisionedThroughputExceededException, InternalFailure). Only they are retried, so a partly throttled request
 * neither loses records nor writes the accepted ones twice. Pure.
 */
export function failedEntries<T>(sent: readonly T[], results: readonly PutResult[]): T[] {
  if (results.length !== sent.length) return [...sent];
  return sent.filter((_, i) => results[i]!.errorCode !== undefined);
}
