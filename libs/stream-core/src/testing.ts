/**
 * Test fixtures for the consumer core, published as `@ridestream/stream-core/testing` for the tests of the core and
 * of each transport, so that production code never imports them by accident.
 */
import { silentLogger } from '@ridestream/runtime';
import { Registry } from 'prom-client';
import { createConsumerMetrics } from './metrics';
import type { PipelineOptions } from './pipeline';
import type { SourceRecord } from './records';
import type { Scorer } from './scorer';

/**
 * A scorer that skips every record, as a tip scorer handed only `ride.started` events would; `onScore` sees the
 * records of each call.
 */
export function skippingScorer(onScore?: (records: readonly SourceRecord[]) => void): Scorer {
  return {
    kind: 'tip',
    model: { name: 'ride-tip', version: '1' },
    lookahead: 1,
    score: async (records) => {
      onScore?.(records);
      return records.map((record) => ({ status: 'skipped', record, eventType: 'ride.started' }));
    },
    dispose: async () => {},
  };
}

/**
 * Pipeline options for a test of the tip consumer: the skipping scorer, a publish that takes everything, a silent
 * logger, metrics on a registry of their own, streams `preds` and `dlq`, and `over` on top.
 *
 * @example
 * const plan = await processChunk([rec('1')], { stream: 'rides', partition: '0' }, testPipeline({ publish }));
 */
export function testPipeline(over: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    scorer: skippingScorer(),
    publish: async () => {},
    logger: silentLogger(),
    metrics: createConsumerMetrics(new Registry()),
    outputStream: 'preds',
    deadLetterStream: 'dlq',
    consumerName: 'tip-consumer',
    signal: new AbortController().signal,
    ...over,
  };
}
