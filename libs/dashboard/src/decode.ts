/**
 * What the dashboard reads from the streams, read loosely on purpose: a prediction by the fields every version of
 * the prediction contract has (so a v2 prediction with extra fields, or a new kind, still shows), a dead letter by
 * its reason (Kafka headers, or the Kinesis envelope that carries the same headers in its body).
 */
import { z } from 'zod';

/** The fields the dashboard shows; anything else in the message is ignored. */
const looseEnvelopeSchema = z.object({
  kind: z.string().min(1),
  model: z.object({ name: z.string().min(1), version: z.string().min(1) }),
  rideId: z.string().min(1),
  eventTime: z.string().min(1),
  scoredAt: z.string().min(1),
  value: z.number(),
});
export type SeenPrediction = z.infer<typeof looseEnvelopeSchema>;

/** Header names of the dead-letter contract (libs/stream-consumer `DLQ_HEADERS`): the wire format, not an import. */
export const DEAD_LETTER_HEADERS = {
  code: 'x-ridestream-error-code',
  reason: 'x-ridestream-error-reason',
  consumer: 'x-ridestream-consumer',
  modelVersion: 'x-ridestream-model-version',
  failedAt: 'x-ridestream-failed-at',
} as const;

/** The `envelope` marker of a dead letter on a Kinesis stream (libs/kinesis `DEAD_LETTER_ENVELOPE`). */
const KINESIS_ENVELOPE = /^ridestream\.dead-letter\//;

/** Shown for a record on the dead-letter stream that says no reason: still counted, never hidden. */
export const UNKNOWN_REASON = 'UNKNOWN';

export interface SeenDeadLetter {
  readonly code: string;
  readonly reason: string;
  readonly consumer?: string;
  readonly modelVersion?: string;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The prediction in `bytes`, or undefined when the message is not one (it is then not counted). */
export function readPrediction(bytes: Uint8Array): SeenPrediction | undefined {
  const parsed = looseEnvelopeSchema.safeParse(parseJson(bytes));
  return parsed.success ? parsed.data : undefined;
}

const kinesisDeadLetterSchema = z.object({
  envelope: z.string().regex(KINESIS_ENVELOPE),
  headers: z.record(z.string(), z.string()),
});

/**
 * The reason of a dead letter: from the record's headers (Kafka), else from the body's envelope (Kinesis, whose
 * records have no headers).
 */
export function readDeadLetter(bytes: Uint8Array, headers: Readonly<Record<string, string>>): SeenDeadLetter {
  let h = headers;
  if (!h[DEAD_LETTER_HEADERS.code]) {
    const envelope = kinesisDeadLetterSchema.safeParse(parseJson(bytes));
    if (envelope.success) h = envelope.data.headers;
  }
  const consumer = h[DEAD_LETTER_HEADERS.consumer];
  const modelVersion = h[DEAD_LETTER_HEADERS.modelVersion];
  return {
    code: h[DEAD_LETTER_HEADERS.code] || UNKNOWN_REASON,
    reason: h[DEAD_LETTER_HEADERS.reason] ?? '',
    ...(consumer ? { consumer } : {}),
    ...(modelVersion ? { modelVersion } : {}),
  };
}

/** A number the monitor may have written as null (JSON has no NaN: nothing matched, no present value). */
const figure = z.number().nullable();

/** The fields of a `model-metrics` record (apps/monitor) the page shows, read as loosely as predictions. */
const monitorRecordSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('accuracy'),
    kind: z.string().min(1),
    model: z.object({ name: z.string().min(1), version: z.string().min(1) }),
    role: z.string().min(1),
    windowStart: z.string().min(1),
    windowEnd: z.string().min(1),
    predictions: z.number(),
    matched: z.number(),
    coverage: figure,
    rmse: figure,
    mae: figure,
  }),
  z.object({
    type: z.literal('drift'),
    kind: z.string().min(1),
    windowStart: z.string().min(1),
    windowEnd: z.string().min(1),
    columns: z.array(
      z.object({
        column: z.string().min(1),
        sample: z.number(),
        jensenShannon: figure,
        psi: figure,
        missing: z.number(),
        drifted: z.boolean().nullable(),
      }),
    ),
  }),
]);
export type SeenMonitorRecord = z.infer<typeof monitorRecordSchema>;

/** The monitor's record in `bytes`, or undefined when the message is not one (it is then not shown). */
export function readMonitorRecord(bytes: Uint8Array): SeenMonitorRecord | undefined {
  const parsed = monitorRecordSchema.safeParse(parseJson(bytes));
  return parsed.success ? parsed.data : undefined;
}
