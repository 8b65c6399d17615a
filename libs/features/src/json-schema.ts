import { z } from 'zod';
import { durationPredictionSchema, tipPredictionSchema } from './prediction';
import { rideEventSchema } from './ride-event';

/**
 * JSON Schema (draft 2020-12) of each message on the wire, for subscribers that are not TypeScript.
 * `io: 'input'` describes what a producer may send; the refinements (real calendar dates) stay TypeScript-only
 * and are noted in the descriptions.
 */
export function contractJsonSchemas(): Record<string, object> {
  const opts = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;
  return {
    'ride-event.v1.schema.json': {
      $id: 'https://ridestream.dev/schemas/ride-event.v1.json',
      title: 'RideEvent v1',
      ...z.toJSONSchema(rideEventSchema, opts),
    },
    'duration-prediction.v1.schema.json': {
      $id: 'https://ridestream.dev/schemas/duration-prediction.v1.json',
      title: 'DurationPrediction v1',
      ...z.toJSONSchema(durationPredictionSchema, opts),
    },
    'tip-prediction.v1.schema.json': {
      $id: 'https://ridestream.dev/schemas/tip-prediction.v1.json',
      title: 'TipPrediction v1',
      ...z.toJSONSchema(tipPredictionSchema, opts),
    },
  };
}
