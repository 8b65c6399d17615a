import { envSchemas } from '@ridestream/runtime';
import { z } from 'zod';
import { parseModelUri } from './model-uri';

/** A model URI checked at config time, so that a malformed one stops startup naming its variable. */
const modelUri = z.string().superRefine((uri, ctx) => {
  try {
    parseModelUri(uri);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/**
 * Where a serving app's model comes from, merged into each consumer's schema. `MODEL_URI` (a path, `s3://`,
 * `models:/<name>@<alias>`, `models:/<name>/<version>` or `runs:/<id>/<path>`) wins over `MODEL_PATH`; with an
 * alias the consumer polls it and swaps versions without a restart.
 */
export const modelSourceEnvSchema = z.object({
  MODEL_URI: modelUri
    .optional()
    .describe(
      'where the model comes from: a path, `s3://`, `models:/name@alias` (followed, hot swap), `models:/name/version`, `runs:/id/path`; MODEL_PATH when unset',
    ),
  /** A challenger scored beside the served model on the same chunks, published to its own stream; never required. */
  SHADOW_MODEL_URI: modelUri
    .optional()
    .describe('a challenger scored beside the served model, published to the shadow output; off when unset'),
  /** MLflow tracking server for `models:/` and `runs:/` URIs. */
  MLFLOW_TRACKING_URI: z.url().optional().describe('MLflow tracking server; required by `models:/` and `runs:/` URIs'),
  /** How often an alias (`models:/<name>@<alias>`) is asked which version it points at. */
  MODEL_POLL_INTERVAL_MS: envSchemas.positiveInt
    .min(500)
    .max(3_600_000)
    .default(30_000)
    .describe('how often a registry alias is asked which version it points at'),
  /** Where fetched models are written. */
  MODEL_CACHE_DIR: z.string().min(1).default('.cache/models').describe('where fetched models are written'),
  /** S3-compatible endpoint for `s3://` URIs (a local one in dev); the AWS default otherwise. */
  S3_ENDPOINT: z.url().optional().describe('S3-compatible endpoint for `s3://` URIs; the AWS default when unset'),
  AWS_REGION: z
    .string()
    .min(1)
    .default('us-east-1')
    .describe('AWS region: of the S3 model source, and on Kinesis of the streams and the lease table'),
});
export type ModelSourceEnv = z.infer<typeof modelSourceEnvSchema>;

/** The variable each registry URI needs that a schema alone cannot require: reported like any config issue. */
export function modelSourceIssues(env: ModelSourceEnv): { variable: string; message: string }[] {
  const issues: { variable: string; message: string }[] = [];
  for (const variable of ['MODEL_URI', 'SHADOW_MODEL_URI'] as const) {
    const uri = env[variable];
    if (uri && /^(models|runs):\//.test(uri) && !env.MLFLOW_TRACKING_URI)
      issues.push({ variable: 'MLFLOW_TRACKING_URI', message: `required by ${variable}=${uri}` });
  }
  return issues;
}
