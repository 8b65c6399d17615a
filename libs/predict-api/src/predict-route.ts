import { predictionApiOpenApi } from '@ridestream/contracts';
import { makePrediction, validateRideBatch, type Prediction, type PredictionKind } from '@ridestream/features';
import { predictEvents, type Predictor } from '@ridestream/stream-core';
import { registerMethodNotAllowed } from '@ridestream/runtime';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** A loaded model as the route needs it: the consumers' `Predictor` (`modelScorer` returns one). */
export type RouteScorer = Pick<Predictor, 'kind' | 'model' | 'predict'>;

export interface PredictRouteOptions {
  readonly scorers: readonly RouteScorer[];
  readonly maxRidesPerRequest: number;
  readonly registry: Registry;
  readonly now?: () => Date;
}

/**
 * `POST /predict` (and its OpenAPI document at `GET /openapi.json`): the request/response deployment mode on the same contract, features and models as the
 * streams. One ride or an array in; for each ride one prediction per model out, in request order. A bad ride is a
 * 400 naming the field (nothing is scored); over the body limit 413; not JSON 415.
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
      return reply.code(400).send({ error: 'invalid ride', field: result.issues[0]?.path, issues: result.issues });
    }
    const scoredAt = now();
    // The streams' scoring function, one model call per model for the whole request.
    const perModel = await Promise.all(
      o.scorers.map(async (s) => ({ s, values: await predictEvents(s, result.rides) })),
    );
    const predictions = result.rides.map((ride, i) => {
      const out: Partial<Record<PredictionKind, Prediction>> = {};
      for (const { s, values } of perModel) {
        out[s.kind] = makePrediction({
          kind: s.kind,
          model: s.model,
          rideId: ride.rideId,
          eventTime: ride.pickupAt,
          value: values[i]!,
          scoredAt,
        });
      }
      return { rideId: ride.rideId, ...out };
    });
    requests.inc({ status: '200' });
    end();
    return reply.code(200).send({ predictions });
  });
}
