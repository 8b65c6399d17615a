import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

/** What libs need from a logger; they take this, not a pino import, so tests can pass a silent one. */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

/** Paths that may carry secrets; pino replaces their values with "[redacted]". */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'sasl.password',
  '*.sasl.password',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'KAFKA_SASL_PASSWORD',
  '*.KAFKA_SASL_PASSWORD',
  'AWS_SECRET_ACCESS_KEY',
  '*.AWS_SECRET_ACCESS_KEY',
  'PRODUCER_API_KEYS',
  '*.PRODUCER_API_KEYS',
];

export interface LoggerOptions {
  readonly name: string;
  readonly level: LevelWithSilent;
  /** Defaults to stdout; tests pass a stream to read what was logged. */
  readonly destination?: NodeJS.WritableStream;
}

/** The one root logger of a process: JSON to stdout, errors under `err`, secrets redacted. */
export function createLogger(options: LoggerOptions): PinoLogger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: options.name },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): PinoLogger {
  return pino({ level: 'silent' });
}
