import { predictionApiOpenApi } from '@ridestream/contracts';
import {
  FEATURE_SPECS,
  makePrediction,
  validateRideBatch,
  type Prediction,
  type PredictionKind,
  type RideEvent,
} from '@ridestream/features';
import { predictEvents, type Predictor } from '@ridestream/stream-core';
import { registerMethodNotAllowed } from '@ridestream/ops-http';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** A loaded model as the route needs it: the consumers' `Predictor` (`modelScorer` returns one). */
export type RouteScorer = Pick<Predictor, 'kind' | 'model' | 'predict'>;

/** One event's answer: its ids, and the prediction of each model that scores its type. */
export type PredictAnswer = { rideId: string; eventId: string; type: RideEvent['type'] } & Partial<
  Record<PredictionKind, Prediction>
>;

export interface PredictRouteOptions {
  readonly scorers: readonly RouteScorer[];
  /** Events per request. */
  readonly maxRidesPerRequest: number;
  readonly registry: Registry;
  readonly now?: () => Date;
}

/**
 * `POST /predict` (and its OpenAPI document at `GET /openapi.json`): the request/response deployment mode on the same contract, features and models as the
 * streams. One ride event or an array in; for each event, in request order, its ids and the prediction of every
 * model that scores its type, as the consumers would publish it: a `ride.started` gets a duration, a
 * `ride.completed` a tip, a `ride.paid` none. A bad event is a 400 naming the field (nothing is scored; a v1 event
 * names `schemaVersion`); over the body limit 413; not JSON 415.
 */
export function registerPredictRoute(app: FastifyInstance, o: PredictRouteOptions): void {
  const registers = [o.registry];
  const requests = new Counter({
    name: 'ridestream_predict_requests_total',
    help: 'POST /predict by status',
    labelNames: ['status'],
    registers,
  });
  const seconds = new Histogram({
    name: 'ridestream_predict_seconds',
    help: 'Validation + features + models per request',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers,
  });
  const now = o.now ?? (() => new Date());
  // The contract a client generates from (docs/contracts/prediction-api.openapi.json).
  const openApi = predictionApiOpenApi();
  app.get('/openapi.json', async () => openApi);

  registerMethodNotAllowed(app, '/predict', ['POST']);
  app.post('/predict', async (request, reply) => {
    // Fastify also parses text/plain; this API speaks JSON only, and says so with 415.
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return reply.code(415).send({ error: 'content-type must be application/json' });
    }
    const end = seconds.startTimer();
    const result = validateRideBatch(request.body, o.maxRidesPerRequest);
    if ('issues' in result) {
      requests.inc({ status: '400' });
      return reply
        .code(400)
        .send({ error: 'invalid ride event', field: result.issues[0]?.path, issues: result.issues });
    }
    const { events } = result;
    const scoredAt = now();
    const answers: PredictAnswer[] = events.map((e) => ({ rideId: e.rideId, eventId: e.eventId, type: e.type }));
    // The streams' scoring function, one model call per model for the whole request, over the events it scores.
    await Promise.all(
      o.scorers.map(async (s) => {
        const rows = events.flatMap((e, i) => (e.type === FEATURE_SPECS[s.kind].eventType ? [i] : []));
        if (rows.length === 0) return;
        const values = await predictEvents(
          s,
          rows.map((i) => events[i]!),
        );
        rows.forEach((i, row) => {
          answers[i]![s.kind] = makePrediction({
            kind: s.kind,
            model: s.model,
            event: events[i]!,
            value: values[row]!,
            scoredAt,
          });
        });
      }),
    );
    requests.inc({ status: '200' });
    end();
    return reply.code(200).send({ predictions: answers });
  });
}
