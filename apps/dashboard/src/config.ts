import { kinesisEnvSchema } from '@ridestream/kinesis';
import { kafkaEnvSchema } from '@ridestream/kafka';
import { envSchemas, loadEnvConfig, serviceEnvSchema, type Env } from '@ridestream/runtime';
import { z } from 'zod';

const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(1)).min(1));

/** `name=url` pairs: each service's /metrics, named as the page shows it. */
const targets = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        return at > 0 ? { name: pair.slice(0, at), url: pair.slice(at + 1) } : { name: '', url: pair };
      }),
  )
  .pipe(z.array(z.object({ name: z.string().min(1, 'expected name=url[,name=url...]'), url: z.url() })));

/** The server and what it reads, the same on both transports. */
const dashboardEnvSchema = serviceEnvSchema.extend({
  HTTP_HOST: z.string().min(1).default('0.0.0.0').describe('address of the page and its event stream'),
  HTTP_PORT: envSchemas.port.default(8088).describe('port of the page and its event stream'),
  /** Comma-separated `name=url` of the /metrics to scrape (producer, consumers); none = streams only. */
  SCRAPE_TARGETS: targets
    .default([])
    .describe('comma-separated `name=url` of the /metrics to scrape; none: streams only'),
  SCRAPE_INTERVAL_MS: envSchemas.positiveInt.min(200).default(2000).describe('how often the metrics are scraped'),
  /** One frame to the pages per tick. */
  TICK_MS: envSchemas.positiveInt.min(100).default(1000).describe('one frame to the pages per tick'),
  /** Frames kept for a page that opens later (600 at 1 s = the last 10 minutes). */
  HISTORY_FRAMES: envSchemas.positiveInt.max(100_000).default(600).describe('frames kept for a page that opens later'),
  /** Read the streams from their oldest record instead of from now. */
  FROM_BEGINNING: envSchemas.flag
    .default(false)
    .describe('read the streams from their oldest record instead of from now'),
});

export const kafkaConfigSchema = kafkaEnvSchema.extend(dashboardEnvSchema.shape).extend({
  RIDES_TOPIC: z.string().min(1).default('rides').describe('topic of ride events'),
  PREDICTION_TOPICS: list
    .default(['ride-duration-predictions', 'tip-predictions'])
    .describe('comma-separated prediction topics'),
  DEAD_LETTER_TOPIC: z.string().min(1).default('rides.dlq').describe('topic of dead letters'),
  METRICS_TOPIC: z
    .string()
    .min(1)
    .optional()
    .describe(
      "the model monitor's closed windows (model-metrics), for the accuracy and drift panels; none: no monitor",
    ),
});
export type KafkaDashboardEnv = z.infer<typeof kafkaConfigSchema>;

export const kinesisConfigSchema = kinesisEnvSchema.extend(dashboardEnvSchema.shape).extend({
  RIDES_STREAM: z.string().min(1).default('rides').describe('stream of ride events'),
  PREDICTION_STREAMS: list
    .default(['ride-duration-predictions', 'tip-predictions'])
    .describe('comma-separated prediction streams'),
  DEAD_LETTER_STREAM: z.string().min(1).default('rides.dlq').describe('stream of dead letters'),
});
export type KinesisDashboardEnv = z.infer<typeof kinesisConfigSchema>;

export type Config =
  | { readonly transport: 'kafka'; readonly env: Readonly<KafkaDashboardEnv> }
  | { readonly transport: 'kinesis'; readonly env: Readonly<KinesisDashboardEnv> };

/** The dashboard's whole configuration, the only place that reads the environment. `TRANSPORT` picks the schema. */
export function loadConfig(env: Env): Config {
  const { TRANSPORT } = loadEnvConfig(z.object({ TRANSPORT: z.enum(['kafka', 'kinesis']).default('kafka') }), env);
  return TRANSPORT === 'kinesis'
    ? { transport: 'kinesis', env: loadEnvConfig(kinesisConfigSchema, env) }
    : { transport: 'kafka', env: loadEnvConfig(kafkaConfigSchema, env) };
}
