import { aStarted } from '@ridestream/features/testing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createTracing, traceHeaders } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { predictorScorer, processChunk, type OutgoingMessage, type SourceRecord } from '../src/index';
import { testPipeline } from '../src/testing';

const ride = aStarted('r1');
const scorer = predictorScorer({
  kind: 'duration',
  model: { name: 'ride-duration', version: '1' },
  predict: async (_f, n) => new Float32Array(n).fill(9),
});

describe('tracing through the consumer', () => {
  it("returns predictions that continue the producer's trace, with one consumer span per ride", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ serviceName: 'test', exporter });
    const producerSpan = tracing.tracer!.startSpan('publish rides', { kind: SpanKind.PRODUCER });
    const record: SourceRecord = {
      position: '7',
      key: 'r1',
      value: Buffer.from(JSON.stringify(ride)),
      headers: traceHeaders(producerSpan),
      timestampMs: Date.now(),
    };
    producerSpan.end();

    const published: OutgoingMessage[] = [];
    await processChunk(
      [record],
      { stream: 'rides', partition: '0' },
      testPipeline({
        scorer,
        publish: async (m) => void published.push(...m),
        consumerName: 'duration-consumer',
        tracer: tracing.tracer,
      }),
    );

    const consumerSpan = exporter.getFinishedSpans().find((s) => s.name === 'score duration')!;
    expect(consumerSpan).toBeDefined();
    expect(consumerSpan.spanContext().traceId).toBe(producerSpan.spanContext().traceId);
    expect(consumerSpan.parentSpanContext?.spanId).toBe(producerSpan.spanContext().spanId);
    expect(consumerSpan.attributes['ridestream.ride_id']).toBe('r1');
    // The prediction's traceparent points at the consumer span: a subscriber's span becomes its child.
    expect(published[0]!.headers?.traceparent).toBe(
      `00-${consumerSpan.spanContext().traceId}-${consumerSpan.spanContext().spanId}-01`,
    );
    await tracing.shutdown();
  });

  it('returns the original traceparent untouched when tracing is off', async () => {
    const published: OutgoingMessage[] = [];
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await processChunk(
      [
        {
          position: '1',
          key: 'r1',
          value: Buffer.from(JSON.stringify(ride)),
          headers: { traceparent },
          timestampMs: 0,
        },
      ],
      { stream: 'rides', partition: '0' },
      testPipeline({ scorer, publish: async (m) => void published.push(...m), consumerName: 'c' }),
    );
    expect(published[0]!.headers).toEqual({ traceparent });
  });
});
