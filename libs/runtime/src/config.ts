import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Empty strings count as unset (a blank `KAFKA_BROKERS=` in a compose file means "not given"), and for the
 * variables in `names`, `<NAME>_FILE` is read into `<NAME>`, the way Docker and Kubernetes mount secrets.
 * Only known names: other `*_FILE` variables of the machine (TF_CLI_CONFIG_FILE, say) are none of our business.
 */
export function normaliseEnv(
  env: Env,
  names: readonly string[],
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Env {
  const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    const file = env[`${name}_FILE`];
    // An explicit value wins over a mounted file.
    if (isSet(value)) out[name] = value;
    else if (isSet(file)) {
      try {
        out[name] = readFile(file).trim();
      } catch (cause) {
        throw new ConfigError([
          { variable: `${name}_FILE`, message: `cannot read ${file}: ${(cause as Error).message}` },
        ]);
      }
    }
  }
  return out;
}

/**
 * Validates the environment against an app's schema; on failure throws a `ConfigError` naming every variable.
 *
 * @example
 * const config = loadEnvConfig(z.object({ HTTP_PORT: port }), process.env);
 */
export function loadEnvConfig<S extends z.ZodObject>(schema: S, env: Env): Readonly<z.infer<S>> {
  const result = schema.safeParse(normaliseEnv(env, Object.keys(schema.shape)));
  if (result.success) return Object.freeze(result.data);
  throw new ConfigError(
    // The variable is the first path element; a list item's index (`KAFKA_BROKERS.0`) would only confuse.
    result.error.issues.map((i) => ({ variable: i.path.length ? String(i.path[0]) : '(env)', message: i.message })),
  );
}

/** Reusable variable schemas. Booleans are `true|false|1|0|yes|no`, never truthiness. */
export const envSchemas = {
  port: z.coerce.number().int().min(0).max(65535),
  positiveInt: z.coerce.number().int().positive(),
  flag: z.stringbool(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Comma-separated host:port list. */
  brokers: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port[,host:port...]')).min(1)),
} as const;

/** Common service variables: log level, ops HTTP port, shutdown deadline. */
export const serviceEnvSchema = z.object({
  LOG_LEVEL: envSchemas.logLevel.default('info').describe('pino log level'),
  /** OpenTelemetry's standard variable: set it to trace rides from the producer to each prediction. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .optional()
    .describe(
      'OTLP/HTTP endpoint for traces (producer span per request, consumer span per ride); tracing is off without it',
    ),
  SHUTDOWN_TIMEOUT_MS: envSchemas.positiveInt
    .default(25_000)
    .describe("drain deadline after SIGTERM (exit 1 if exceeded); keep it below the orchestrator's grace period"),
});

/** Picks the transport of an app that runs on both; read first, then the transport's own schema. */
export const transportEnvSchema = z.object({
  TRANSPORT: z.enum(['kafka', 'kinesis']).default('kafka').describe('which transport the app runs on'),
});
