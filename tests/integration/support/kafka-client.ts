/**
 * Which Kafka client the services under test run on. The integration script runs the conformance, crash-recovery and
 * short chaos files a second time with `KAFKA_CLIENT` set to the other client; the tests themselves stay the same,
 * only the environment of the services they start changes.
 */
import { KAFKA_CLIENTS, kafkaConsumerIssues, type KafkaClientName } from '@ridestream/kafka';

/** `{ KAFKA_CLIENT }` when the run picks a client, `{}` otherwise (the apps' default). */
export function kafkaClientEnv(): { KAFKA_CLIENT?: KafkaClientName } {
  const chosen = process.env.KAFKA_CLIENT;
  if (chosen === undefined || chosen === '') return {};
  if (!(KAFKA_CLIENTS as readonly string[]).includes(chosen))
    throw new Error(`KAFKA_CLIENT=${chosen}: expected one of ${KAFKA_CLIENTS.join(', ')}`);
  return { KAFKA_CLIENT: chosen as KafkaClientName };
}

/**
 * The delivery modes the consumers accept on this run's client: a client the consumers refuse `EXACTLY_ONCE=true`
 * on (README "Kafka clients") is tested at-least-once only, and that refusal has a unit test of its own.
 */
export function deliveryModes(): ('at-least-once' | 'exactly-once')[] {
  const client = kafkaClientEnv().KAFKA_CLIENT;
  const exactlyOnce = kafkaConsumerIssues({ KAFKA_CLIENT: client ?? 'kafkajs', EXACTLY_ONCE: true }).length === 0;
  return exactlyOnce ? ['at-least-once', 'exactly-once'] : ['at-least-once'];
}
