/**
 * consumer-lambda: a consumer as a Lambda function on a custom runtime (`provided.al2023`, or a container image run
 * by the runtime interface emulator), one app for both models (`PREDICTION_KIND`). The init phase loads the model
 * and the client once per execution environment; then it serves the Lambda Runtime API, each invocation scoring
 * the event's records and answering with a partial batch response.
 *
 *   aws-lambda-rie node --import tsx apps/consumer-lambda/src/main.ts
 */
import {
  awsConnectionsFromEnv,
  createKinesisClient,
  createKinesisLambdaHandler,
  createKinesisPublisher,
  runLambdaRuntime,
} from '@ridestream/kinesis';
import { FEATURE_SPECS } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { createLogger, exitOnStartupError } from '@ridestream/runtime';
import { modelScorer } from '@ridestream/stream-core';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: config.FUNCTION_NAME, level: config.LOG_LEVEL });
  const model = await createModel({ path: config.MODEL_PATH, features: FEATURE_SPECS[config.PREDICTION_KIND] });
  const publisher = createKinesisPublisher(createKinesisClient(awsConnectionsFromEnv(config).kinesis), { logger });
  const handler = createKinesisLambdaHandler({
    scorer: modelScorer(config.PREDICTION_KIND, model),
    publisher,
    outputStream: config.OUTPUT_STREAM,
    deadLetterStream: config.DEAD_LETTER_STREAM,
    consumerName: config.FUNCTION_NAME,
    logger,
  });
  await runLambdaRuntime(handler, { api: config.AWS_LAMBDA_RUNTIME_API, logger });
}

main().catch(exitOnStartupError('consumer-lambda'));
