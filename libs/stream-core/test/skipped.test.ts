import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createConsumerMetrics, processChunk, type OutgoingMessage, type RecordOutcome } from '../src/index';
import { testPipeline } from '../src/testing';
import { rec } from './fixtures';
import { fromWire, toWire } from '../src/worker-protocol';

describe('skipped events', () => {
  it('returns a plan that commits skipped events, publishes nothing and counts them by type', async () => {
    const registry = new Registry();
    const published: OutgoingMessage[] = [];
    const plan = await processChunk(
      [rec('4'), rec('5')],
      { stream: 'rides', partition: '0' },
      // The tip consumer's skipping scorer, with metrics on a registry the test reads.
      testPipeline({ publish: async (m) => void published.push(...m), metrics: createConsumerMetrics(registry) }),
    );
    expect(plan.commitThrough).toBe('5');
    expect(published).toEqual([]);
    const skipped = await registry.getSingleMetric('ridestream_skipped_total')!.get();
    expect(skipped.values).toEqual([{ labels: { type: 'ride.started' }, value: 2 }]);
    const records = await registry.getSingleMetric('ridestream_records_total')!.get();
    expect(records.values.find((v) => v.labels.outcome === 'skipped')?.value).toBe(2);
  });

  it('returns a skipped outcome unchanged across the scoring worker protocol', () => {
    const outcome: RecordOutcome = { status: 'skipped', record: rec('9'), eventType: 'ride.paid' };
    expect(fromWire(toWire(outcome), outcome.record)).toEqual(outcome);
  });
});
