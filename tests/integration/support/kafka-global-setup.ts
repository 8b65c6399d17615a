/**
 * Vitest global setup for the integration project: one real Kafka broker per test run, shared by every file.
 * KAFKA_BROKERS set -> that cluster is used and nothing is started. Otherwise the project's local broker tool
 * starts a single KRaft node from the Maven jars (no Docker needed) and stops it at the end if it started it.
 */
import type { TestProject } from 'vitest/node';
import { ensureKafka, stopKafka } from '@ridestream/kafka-tool';
// The typed `kafkaBrokers` key of vitest's ProvidedContext (a type-only import: nothing of the toolkit runs here).
import type {} from '@ridestream/testing';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { brokers, started } = await ensureKafka();
  project.provide('kafkaBrokers', brokers);
  return async () => {
    if (started) await stopKafka();
  };
}
