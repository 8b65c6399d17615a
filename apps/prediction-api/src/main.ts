/**
 * prediction-api: the web-service deployment mode. `POST /predict` scores rides synchronously with the same
 * contract, features and ONNX models as the streaming consumers; for callers that need an answer in the request.
 */
import { FEATURE_SPECS } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { registerPredictRoute } from '@ridestream/prediction-api';
import { modelScorer } from '@ridestream/stream-core';
import { listenable, registerOpsRoutes } from '@ridestream/ops-http';
import {
  exitOnStartupError,
  createLogger,
  createMetricsRegistry,
  once,
  runCleanups,
  runService,
} from '@ridestream/runtime';
import Fastify from 'fastify';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'prediction-api', level: config.LOG_LEVEL });
  const models = [
    {
      kind: 'duration' as const,
      model: await createModel({ path: config.DURATION_MODEL_PATH, features: FEATURE_SPECS.duration }),
    },
    { kind: 'tip' as const, model: await createModel({ path: config.TIP_MODEL_PATH, features: FEATURE_SPECS.tip }) },
  ];
  const registry = createMetricsRegistry({ service: 'prediction-api' });
  const app = Fastify({ logger: false, bodyLimit: config.BODY_LIMIT_BYTES });
  registerOpsRoutes(app, { registry, isReady: () => true });
  registerPredictRoute(app, {
    scorers: models.map(({ kind, model }) => modelScorer(kind, model)),
    maxRidesPerRequest: config.MAX_RIDES_PER_REQUEST,
    registry,
  });
  const http = listenable(app, { host: config.HTTP_HOST, port: config.HTTP_PORT });
  await runService(
    {
      start: once(async () => {
        await http.start();
        logger.info(
          { port: http.port(), models: models.map((m) => `${m.model.info.name}@${m.model.info.version}`) },
          'serving /predict',
        );
      }),
      stop: once(async () => {
        await runCleanups(
          [
            { name: 'close http', run: () => http.stop() },
            ...models.map((m) => ({ name: `release ${m.kind} model`, run: () => m.model.dispose() })),
          ],
          logger,
        );
      }),
    },
    { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  );
}

main().catch(exitOnStartupError('prediction-api'));
