import { kafkaEnvSchema } from '@ridestream/kafka';
import { envSchemas, loadEnvConfig, serviceEnvSchema, type Env } from '@ridestream/runtime';
import { z } from 'zod';

const MINUTE = 60_000;

/** The monitor's environment: what it watches, how it windows, where its state lives. */
export const configSchema = kafkaEnvSchema.extend(serviceEnvSchema.shape).extend({
  INPUT_TOPIC: z
    .string()
    .min(1)
    .default('rides')
    .describe('the ride events: ground truth (ride.completed, ride.paid) and the features for drift'),
  DURATION_PREDICTIONS_TOPIC: z
    .string()
    .min(1)
    .default('ride-duration-predictions')
    .describe("the duration consumer's predictions (champion)"),
  TIP_PREDICTIONS_TOPIC: z
    .string()
    .min(1)
    .default('tip-predictions')
    .describe("the tip consumer's predictions (champion)"),
  SHADOW_SUFFIX: z
    .string()
    .min(1)
    .default('.shadow')
    .describe("a prediction topic with this suffix holds a shadow (challenger) model's predictions"),
  METRICS_TOPIC: z
    .string()
    .min(1)
    .default('model-metrics')
    .describe('where closed windows are published (key: the window; value: its figures as JSON)'),
  CONSUMER_GROUP: z.string().min(1).default('model-monitor').describe("the monitor's consumer group"),
  WINDOW_MS: envSchemas.positiveInt
    .min(MINUTE)
    .default(60 * MINUTE)
    .describe("tumbling window on the scored event's time"),
  MAX_TRUTH_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(120 * MINUTE)
    .describe("how long after a prediction's event its truth may still arrive, in event time"),
  ALLOWED_LATENESS_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(MINUTE)
    .describe('out-of-order slack: the watermark trails the newest event time by this much'),
  SOURCE_IDLE_MS: envSchemas.positiveInt
    .default(30_000)
    .describe('a partition with nothing new for this long stops holding event time back (an empty or ended one)'),
  STATE_DIR: z
    .string()
    .min(1)
    .default('.cache/monitor')
    .describe('where the snapshot of the join and the offsets it covers is written (mount a volume)'),
  SNAPSHOT_INTERVAL_MS: envSchemas.positiveInt.min(100).default(10_000).describe('how often the snapshot is written'),
  DURATION_REFERENCE_PROFILE: z
    .string()
    .min(1)
    .optional()
    .describe("the duration model's reference_profile.json, for drift (none: no drift report)"),
  TIP_REFERENCE_PROFILE: z
    .string()
    .min(1)
    .optional()
    .describe("the tip model's reference_profile.json, for drift (none: no drift report)"),
  CREATE_TOPICS: envSchemas.flag.default(false).describe('create the metrics topic at startup when missing (dev)'),
  HTTP_HOST: z.string().min(1).default('0.0.0.0').describe('address of the ops server (/healthz, /readyz, /metrics)'),
  HTTP_PORT: envSchemas.port.default(9105).describe('port of the ops server'),
});
export type MonitorConfig = Readonly<z.infer<typeof configSchema>>;

export function loadConfig(env: Env): MonitorConfig {
  return loadEnvConfig(configSchema, env);
}
