/** The transport conformance suite on Kafka (the broker of the integration global setup). */
import { describe } from 'vitest';
import { registerConformanceSuite } from './conformance';
import { kafkaAdapter } from './conformance-kafka-adapter';

describe('Kafka adapter', () => {
  registerConformanceSuite(() => kafkaAdapter());
});
