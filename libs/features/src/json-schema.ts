import { z } from 'zod';
import { durationPredictionSchema, tipPredictionSchema } from './prediction';
import { rideEventSchema } from './ride-event';

/**
 * JSON Schema (draft 2020-12) of each message on the wire, for subscribers that are not TypeScript.
 * `io: 'input'` describes what a producer may send; the refinements (real calendar dates, a drop-off not before
 * its pickup) stay TypeScript-only and are noted in the descriptions.
 */
export function contractJsonSchemas(): Record<string, object> {
  const opts = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;
  return {
    'ride-event.v2.schema.json': {
      $id: 'https://ridestream.dev/schemas/ride-event.v2.json',
      title: 'RideEvent v2 (ride.started | ride.completed | ride.paid)',
      description:
        'One event of a ride, keyed by rideId. ride.completed also requires occurredAt >= startedAt ' +
        '(DROPOFF_BEFORE_PICKUP); dates must be real calendar dates between 2000 and 2100.',
      ...z.toJSONSchema(rideEventSchema, opts),
    },
    'duration-prediction.v2.schema.json': {
      $id: 'https://ridestream.dev/schemas/duration-prediction.v2.json',
      title: 'DurationPrediction v2',
      ...z.toJSONSchema(durationPredictionSchema, opts),
    },
    'tip-prediction.v2.schema.json': {
      $id: 'https://ridestream.dev/schemas/tip-prediction.v2.json',
      title: 'TipPrediction v2',
      ...z.toJSONSchema(tipPredictionSchema, opts),
    },
  };
}
