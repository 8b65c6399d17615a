/**
 * A consumer Lambda as a custom runtime: composes the handler from its environment the way an app's main does,
 * then serves the Lambda Runtime API. Run by the AWS Lambda runtime interface emulator in the integration test:
 *
 *   aws-lambda-rie node --import tsx tools/kinesis/src/lambda-bootstrap.ts
 *
 * Variables: PREDICTION_KIND (duration|tip), MODEL_PATH, OUTPUT_STREAM, DEAD_LETTER_STREAM, FUNCTION_NAME, the
 * AWS connection ones (KINESIS_ENDPOINT, AWS_REGION, ...) and AWS_LAMBDA_RUNTIME_API (set by Lambda / the emulator).
 */
import {
  awsConnectionsFromEnv,
  createKinesisClient,
  createKinesisLambdaHandler,
  createKinesisPublisher,
  kinesisEnvSchema,
  runLambdaRuntime,
} from '@ridestream/kinesis';
import { createModel } from '@ridestream/model';
import { createLogger, envSchemas, loadEnvConfig } from '@ridestream/runtime';
import { z } from 'zod';
import { modelScorer } from '@ridestream/stream-core';

const config = loadEnvConfig(
  kinesisEnvSchema.extend({
    PREDICTION_KIND: z.enum(['duration', 'tip']),
    MODEL_PATH: z.string().min(1),
    OUTPUT_STREAM: z.string().min(1),
    DEAD_LETTER_STREAM: z.string().min(1),
    FUNCTION_NAME: z.string().min(1).default('ridestream-consumer'),
    AWS_LAMBDA_RUNTIME_API: z.string().min(1),
    LOG_LEVEL: envSchemas.logLevel.default('info'),
  }),
  process.env,
);
const logger = createLogger({ name: config.FUNCTION_NAME, level: config.LOG_LEVEL });
// Init phase: the model and the client are created once per execution environment, not per invocation.
const model = await createModel({ path: config.MODEL_PATH });
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
