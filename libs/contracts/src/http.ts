import { RIDE_EVENT_TYPES } from '@ridestream/features';
import { z } from 'zod';
import { CONTRACT_MESSAGES } from './messages';

const { RideEvent, DurationPrediction, TipPrediction } = CONTRACT_MESSAGES;

/** The request body of `POST /rides` and `POST /predict`: one ride, or an array of them. */
export const rideBatchRequestSchema = z
  .union([RideEvent.schema, z.array(RideEvent.schema).min(1)])
  .describe("One ride event, or a non-empty array of them (at most the service's MAX_RIDES_PER_REQUEST).");

const fieldIssue = z.object({
  path: z.string().describe('the field, dotted (`pickupAt`, `(root)` for the body itself)'),
  message: z.string(),
  index: z.int().min(0).optional().describe('position in a batch request; absent for a single ride'),
});

/** 400 for a ride that breaks the contract: nothing of the request was published or scored. */
export const invalidRideResponseSchema = z.object({
  error: z.literal('invalid ride event'),
  field: z.string().optional().describe('the first offending field'),
  issues: z.array(fieldIssue).min(1),
});

/** Any other error body (401, 413, 415, 429, 503, or a body that is not JSON). */
export const errorResponseSchema = z.object({
  error: z.string(),
  message: z.string().optional(),
  retriable: z.boolean().optional().describe('true when the same request may succeed later (503)'),
});

/** 202 of `POST /rides`: the broker or stream holds every ride of the request. */
export const acceptedResponseSchema = z.object({ accepted: z.int().min(1).describe('rides published') });

/** 200 of `POST /predict`: one entry per ride, in request order, one prediction per served model. */
export const predictResponseSchema = z.object({
  predictions: z.array(
    z
      .object({
        rideId: z.string(),
        eventId: z.string(),
        type: z.enum(RIDE_EVENT_TYPES),
        duration: DurationPrediction.schema.optional().describe('for a ride.started'),
        tip: TipPrediction.schema.optional().describe('for a ride.completed'),
      })
      .describe('One answer per event, in request order: the prediction of every model that scores its type'),
  ),
});

/** Every schema the HTTP documents name as a component (the ride and prediction contracts and the bodies). */
export const HTTP_COMPONENTS = {
  RideEvent: RideEvent.schema,
  DurationPrediction: DurationPrediction.schema,
  TipPrediction: TipPrediction.schema,
  RideBatchRequest: rideBatchRequestSchema,
  InvalidRideResponse: invalidRideResponseSchema,
  ErrorResponse: errorResponseSchema,
  AcceptedResponse: acceptedResponseSchema,
  PredictResponse: predictResponseSchema,
} as const;
