import { SASLMechanisms, type BaseOptions } from '@platformatic/kafka';
import type { KafkaConnection } from '../client';

const MECHANISMS = {
  plain: SASLMechanisms.PLAIN,
  'scram-sha-256': SASLMechanisms.SCRAM_SHA_256,
  'scram-sha-512': SASLMechanisms.SCRAM_SHA_512,
} as const;

/**
 * The @platformatic/kafka options for our connection: the same brokers, client id, TLS (with a private CA) and SASL
 * as the kafkajs client gets. Retries are bounded like kafkajs' (an unreachable `KAFKA_BROKERS` fails startup within
 * seconds), and metadata is refreshed after a broker restart rather than kept for its default 5 s.
 *
 * @example
 * const producer = new Producer({ ...platformaticOptions(kafkaConnectionFromEnv(env, 'svc')), idempotent: true });
 */
export function platformaticOptions(connection: KafkaConnection): BaseOptions {
  const { ssl, sasl } = connection;
  return {
    clientId: connection.clientId,
    bootstrapBrokers: [...connection.brokers],
    connectTimeout: connection.connectionTimeoutMs ?? 3000,
    retries: 5,
    retryDelay: 200,
    ...(ssl ? { tls: typeof ssl === 'object' && ssl.ca ? { ca: ssl.ca } : {} } : {}),
    ...(sasl
      ? { sasl: { mechanism: MECHANISMS[sasl.mechanism], username: sasl.username, password: sasl.password } }
      : {}),
  };
}
