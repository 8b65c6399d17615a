/**
 * What the monitor reads, turned into join observations: predictions from the prediction streams (champion) and
 * their `.shadow` twins (challenger), and ground truth from the ride's later events. Decoding never throws: a
 * message that is not what its stream promises is counted by the caller and ignored (the consumers dead-letter
 * bad rides; the monitor only watches).
 */
import { parseRideEvent, predictionSchema, type PredictionKind, type RideEvent } from '@ridestream/features';
import type { ModelRole, PredictionObservation, TruthObservation } from './join';

const utf8 = new TextDecoder('utf-8');
const text = (bytes: Uint8Array | string) => (typeof bytes === 'string' ? bytes : utf8.decode(bytes));

/** A prediction message of the contract, as an observation of `role`; undefined when it is not one. */
export function predictionObservation(bytes: Uint8Array | string, role: ModelRole): PredictionObservation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text(bytes));
  } catch {
    return undefined;
  }
  const parsed = predictionSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  return {
    kind: p.kind,
    model: p.model,
    role,
    rideId: p.rideId,
    eventTimeMs: Date.parse(p.eventTime),
    value: p.value,
  };
}

/** TLC records tips for card payments only (cash tips are not on the meter): only those are ground truth. */
const CARD = 1;

/**
 * The ground truth a ride event carries, if any: `ride.completed` gives the actual duration (drop-off - pickup, in
 * minutes), `ride.paid` with a card payment the actual tip. `ride.started` carries none.
 */
export function truthObservation(bytes: Uint8Array | string): TruthObservation | undefined {
  const parsed = parseRideEvent(typeof bytes === 'string' ? bytes : Buffer.from(bytes));
  return parsed.ok ? truthOf(parsed.value) : undefined;
}

/** The ground truth of an already validated ride event (see `truthObservation`). */
export function truthOf(e: RideEvent): TruthObservation | undefined {
  const at = Date.parse(e.occurredAt);
  if (e.type === 'ride.completed')
    return { kind: 'duration', rideId: e.rideId, eventTimeMs: at, value: (at - Date.parse(e.startedAt)) / 60_000 };
  if (e.type === 'ride.paid' && e.paymentType === CARD)
    return { kind: 'tip', rideId: e.rideId, eventTimeMs: at, value: e.tipAmount };
  return undefined;
}

/** The kind of a prediction stream, by the monitor's config: `<output>` is champion, `<output>.shadow` challenger. */
export interface WatchedStreams {
  readonly rides: string;
  readonly predictions: Readonly<Record<PredictionKind, string>>;
  readonly shadowSuffix: string;
}

export type StreamRole = { readonly what: 'truth' } | { readonly what: 'prediction'; readonly role: ModelRole };

export function streamRole(stream: string, s: WatchedStreams): StreamRole | undefined {
  if (stream === s.rides) return { what: 'truth' };
  for (const name of Object.values(s.predictions)) {
    if (stream === name) return { what: 'prediction', role: 'champion' };
    if (stream === `${name}${s.shadowSuffix}`) return { what: 'prediction', role: 'shadow' };
  }
  return undefined;
}
