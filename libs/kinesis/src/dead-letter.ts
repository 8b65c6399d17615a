import { createHash } from 'node:crypto';
import { DLQ_HEADERS, type OutgoingMessage } from '@ridestream/stream-core';
import { z } from 'zod';
import { PUT_RECORDS_LIMITS } from './put-records';

/** The `envelope` field of every dead letter on a Kinesis stream; bump the suffix on an incompatible change. */
export const DEAD_LETTER_ENVELOPE = 'ridestream.dead-letter/v1';

/**
 * A dead letter on Kinesis. Kinesis records have no headers, so what Kafka carries in headers (`DLQ_HEADERS`: code,
 * reason, field issues, source stream/shard/sequence number, consumer, model version, time) travels in `headers`,
 * and the original record's bytes, untouched, in `data` (base64) so it can be replayed once fixed.
 * A record too large to fit in one Kinesis record once base64-encoded is cut: `truncated` is then true, `bytes` and
 * `sha256` still describe the whole original.
 */
export const deadLetterEnvelopeSchema = z.object({
  envelope: z.literal(DEAD_LETTER_ENVELOPE),
  key: z.string(),
  headers: z.record(z.string(), z.string()),
  data: z.base64(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  truncated: z.boolean(),
});
export type DeadLetterEnvelope = z.infer<typeof deadLetterEnvelopeSchema>;

/** Room left for the JSON around `data`: headers are clipped to ~2,000 characters each by the pipeline. */
const ENVELOPE_OVERHEAD_BYTES = 64 * 1024;

/** Partition key of a dead letter: the source's, so one source key's dead letters stay in order on one shard. */
const deadLetterKey = (m: OutgoingMessage) =>
  [...(m.key || m.headers?.[DLQ_HEADERS.sourcePosition] || 'dead-letter')].slice(0, 256).join('');

/** Wraps a dead-letter message (original bytes + DLQ headers) into the envelope, as one Kinesis record. */
export function toDeadLetterEnvelope(m: OutgoingMessage, maxRecordBytes: number = PUT_RECORDS_LIMITS.recordBytes) {
  const original = typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value;
  const key = deadLetterKey(m);
  const room = Math.floor(((maxRecordBytes - ENVELOPE_OVERHEAD_BYTES - 2 * Buffer.byteLength(key)) * 3) / 4);
  const truncated = original.byteLength > room;
  const envelope: DeadLetterEnvelope = {
    envelope: DEAD_LETTER_ENVELOPE,
    key: m.key,
    headers: { ...m.headers },
    data: Buffer.from(original.subarray(0, truncated ? Math.max(0, room) : undefined)).toString('base64'),
    bytes: original.byteLength,
    sha256: createHash('sha256').update(original).digest('hex'),
    truncated,
  };
  return { stream: m.stream, key, value: JSON.stringify(envelope) } satisfies OutgoingMessage;
}

/** Reads a dead letter back: the envelope and the original bytes. Throws a ZodError when it is not one. */
export function parseDeadLetterEnvelope(data: Uint8Array): DeadLetterEnvelope & { readonly original: Buffer } {
  const envelope = deadLetterEnvelopeSchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
  return { ...envelope, original: Buffer.from(envelope.data, 'base64') };
}

/**
 * What the pipeline publishes, made Kinesis-shaped: messages to the dead-letter stream become envelopes; other
 * messages keep their bytes and lose their headers (a prediction's `traceparent` has nowhere to go on Kinesis).
 */
export function encodeForKinesis(messages: readonly OutgoingMessage[], deadLetterStream: string): OutgoingMessage[] {
  return messages.map((m) =>
    m.stream === deadLetterStream ? toDeadLetterEnvelope(m) : { stream: m.stream, key: m.key, value: m.value },
  );
}
