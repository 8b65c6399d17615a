import { envSchemas } from '@ridestream/runtime';
import { z } from 'zod';

/** The Kafka connection fragment every Kafka-speaking app merges into its schema. */
export const kafkaEnvSchema = z.object({
  KAFKA_BROKERS: envSchemas.brokers.describe('Kafka bootstrap brokers, `host:port[,host:port...]`'),
  KAFKA_CLIENT_ID: z.string().min(1).optional().describe('Kafka client id; defaults to the app name or consumer group'),
  KAFKA_SSL: envSchemas.flag.default(false).describe('TLS to the brokers'),
  /** PEM CA bundle for a private CA (path via KAFKA_SSL_CA_FILE). */
  KAFKA_SSL_CA: z.string().optional().describe('PEM CA bundle for a private CA (usually given as `KAFKA_SSL_CA_FILE`)'),
  KAFKA_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'])
    .optional()
    .describe('SASL mechanism; all three `KAFKA_SASL_*` or none, else startup fails naming the missing one'),
  KAFKA_SASL_USERNAME: z.string().optional().describe('SASL user name'),
  KAFKA_SASL_PASSWORD: z
    .string()
    .optional()
    .describe('SASL password (redacted from logs; usually `KAFKA_SASL_PASSWORD_FILE`)'),
});

export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/**
 * Which Kafka client library carries the app's records. Only the apps whose schema merges this fragment (the
 * consumers) honour it; the others speak kafkajs.
 */
export const kafkaClientEnvSchema = z.object({
  KAFKA_CLIENT: z
    .enum(KAFKA_CLIENTS)
    .default('kafkajs')
    .describe('Kafka client of the consumer: `kafkajs` or `platformatic` (@platformatic/kafka 1.35.0; see the README)'),
});
