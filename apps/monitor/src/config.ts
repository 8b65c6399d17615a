import { envSchemas, kafkaEnvSchema, loadEnvConfig, serviceEnvSchema, type Env } from '@ridestream/runtime';
import { z } from 'zod';

const MINUTE = 60_000;

/** The monitor's environment: what it watches, how it windows, where its state lives. */
export const configSchema = kafkaEnvSchema.extend(serviceEnvSchema.shape).extend({
  /** The ride events: ground truth (ride.completed, ride.paid) and the features for drift. */
  INPUT_TOPIC: z.string().min(1).default('rides'),
  DURATION_PREDICTIONS_TOPIC: z.string().min(1).default('ride-duration-predictions'),
  TIP_PREDICTIONS_TOPIC: z.string().min(1).default('tip-predictions'),
  /** A prediction topic with this suffix holds a shadow (challenger) model's predictions. */
  SHADOW_SUFFIX: z.string().min(1).default('.shadow'),
  /** Where closed windows are published (key: the window, value: its figures as JSON). */
  METRICS_TOPIC: z.string().min(1).default('model-metrics'),
  CONSUMER_GROUP: z.string().min(1).default('model-monitor'),
  /** Tumbling windows on the scored event's time. */
  WINDOW_MS: envSchemas.positiveInt.min(MINUTE).default(60 * MINUTE),
  /** How long after a prediction's event its truth may still arrive (drop-off after pickup, payment after drop-off). */
  MAX_TRUTH_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(120 * MINUTE),
  /** Out-of-order slack in event time. */
  ALLOWED_LATENESS_MS: z.coerce.number().int().min(0).default(MINUTE),
  /** The snapshot of the join (and the offsets it covers) is written here; mount a volume to survive a new pod. */
  STATE_DIR: z.string().min(1).default('.cache/monitor'),
  SNAPSHOT_INTERVAL_MS: envSchemas.positiveInt.min(100).default(10_000),
  /** Reference profiles (reference_profile.json logged with each model) for drift; without one, no drift report. */
  DURATION_REFERENCE_PROFILE: z.string().min(1).optional(),
  TIP_REFERENCE_PROFILE: z.string().min(1).optional(),
  /** Create the metrics topic at startup when missing (dev). */
  CREATE_TOPICS: envSchemas.flag.default(false),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_PORT: envSchemas.port.default(9105),
});
export type MonitorConfig = Readonly<z.infer<typeof configSchema>>;

export function loadConfig(env: Env): MonitorConfig {
  return loadEnvConfig(configSchema, env);
}
