import { ConfigError, type Logger } from '@ridestream/runtime';
import type { KafkaEnv } from './config';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: boolean | { ca?: string };
  readonly sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  readonly connectionTimeoutMs?: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own logs into our pino child logger, so there is one JSON log stream per process. */
function logCreator(logger: Logger) {
  // `lib`, not `component`: kafkajs entries carry their own fields, and one key per meaning keeps queries simple.
  const child = logger.child({ lib: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      child[LEVELS[level] ?? 'info'](rest, message);
    };
}

/**
 * A kafkajs client for our config: SASL/TLS when given, logs into pino, and connection retries bounded so that an
 * unreachable `KAFKA_BROKERS` fails startup within seconds, naming the address.
 */
export function createKafka(connection: KafkaConnection, logger: Logger): Kafka {
  const config: KafkaConfig = {
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    connectionTimeout: connection.connectionTimeoutMs ?? 3000,
    logCreator: logCreator(logger),
    logLevel: logLevel.WARN,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
  };
  if (connection.ssl)
    config.ssl = typeof connection.ssl === 'object' && connection.ssl.ca ? { ca: [connection.ssl.ca] } : true;
  if (connection.sasl) config.sasl = { ...connection.sasl } as SASLOptions;
  return new Kafka(config);
}

const SASL_VARIABLES = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;

/**
 * Maps the validated `KAFKA_*` variables (`kafkaEnvSchema`) onto a connection. SASL takes all three
 * KAFKA_SASL_* variables or none: with one missing (a secret file not mounted, say) the client would connect without
 * authenticating and fail later with nothing better than "Closed connection", so that is a ConfigError naming it.
 */
export function kafkaConnectionFromEnv(env: KafkaEnv, fallbackClientId: string): KafkaConnection {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = env;
  const missing = SASL_VARIABLES.filter((name) => !env[name]);
  if (missing.length > 0 && missing.length < SASL_VARIABLES.length) {
    const given = SASL_VARIABLES.filter((name) => env[name]).join(', ');
    throw new ConfigError(missing.map((variable) => ({ variable, message: `required when ${given} is set` })));
  }
  return {
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID ?? fallbackClientId,
    ssl: env.KAFKA_SSL ? { ca: env.KAFKA_SSL_CA } : false,
    sasl: mechanism && username && password ? { mechanism, username, password } : undefined,
  };
}
