/** Kafka side of the conformance suite: topics, producer and consumer services on the shared test broker. */
import type { PredictionKind } from '@ridestream/features';
import { DLQ_HEADERS } from '@ridestream/stream-core';
import { collect, freshTopics, testKafka } from '@ridestream/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { testModelPath, type ConformanceAdapter } from './conformance';
import { predictionsOf, produceAll, startConsumer } from './helpers';

const header = (m: KafkaMessage, name: string) => String(m.headers?.[name] ?? '');

export function kafkaAdapter(kafka: Kafka = testKafka()): ConformanceAdapter {
  return {
    name: 'kafka',
    modelPath: testModelPath,
    async freshStreams(partitions) {
      const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq'], partitions);
      return { input, output, dlq };
    },
    async publish(topic, records) {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        await produceAll(producer, topic, records);
      } finally {
        await producer.disconnect();
      }
    },
    async collectPredictions(topic, kind: PredictionKind) {
      const c = await collect(kafka, topic);
      return { items: () => predictionsOf(c.messages, kind), stop: () => c.stop() };
    },
    async collectDeadLetters(topic) {
      const c = await collect(kafka, topic);
      return {
        items: () =>
          c.messages.map((m) => ({
            code: header(m, DLQ_HEADERS.code),
            sourceStream: header(m, DLQ_HEADERS.sourceStream),
            sourcePosition: header(m, DLQ_HEADERS.sourcePosition),
            consumer: header(m, DLQ_HEADERS.consumer),
            original: m.value ?? Buffer.alloc(0),
          })),
        stop: () => c.stop(),
      };
    },
    async startConsumer(kind, streams, group, options) {
      const c = await startConsumer(kind, {
        INPUT_TOPIC: streams.input,
        OUTPUT_TOPIC: streams.output,
        DEAD_LETTER_TOPIC: streams.dlq,
        CONSUMER_GROUP: group,
        BATCH_SIZE: String(options.batchSize),
        MODEL_PATH: testModelPath(kind),
      });
      return { stop: () => c.service.stop(), scored: () => c.scored(), skipped: () => c.skipped() };
    },
  };
}
