import { isRetriable } from '@ridestream/runtime';
import { describe, expect, it } from 'vitest';
import { processChunk, scoringEnvSchema } from '../src/index';
import { testPipeline } from '../src/testing';
import { fromWire, toWire } from '../src/worker-protocol';
import { rec } from './fixtures';

const down = () => Object.assign(new Error('broker down'), { retriable: true });

describe('processChunk publish retries', () => {
  it('fails after the configured number of retries, uncommitted', async () => {
    let calls = 0;
    const err = await processChunk(
      [rec('1')],
      { stream: 'rides', partition: '0' },
      testPipeline({
        publish: async () => {
          calls++;
          throw down();
        },
        publishRetry: { retries: 2, initialMs: 1, maxMs: 1 },
      }),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect(calls).toBe(3);
  });

  it('fails when aborted during a publish backoff (shutdown)', async () => {
    const ac = new AbortController();
    let calls = 0;
    const p = processChunk(
      [rec('1')],
      { stream: 'rides', partition: '0' },
      testPipeline({
        publish: async () => {
          calls++;
          // The backoff starts after this rejection; the abort comes during it.
          setImmediate(() => ac.abort());
          throw down();
        },
        signal: ac.signal,
        publishRetry: { retries: 5, initialMs: 600_000, maxMs: 600_000 },
      }),
    );
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expect(calls).toBe(1);
  }, 10_000);

  it('returns the PUBLISH_RETRY* defaults from the consumer schema', () => {
    const config = scoringEnvSchema('m.onnx').parse({});
    expect(config).toMatchObject({ PUBLISH_RETRIES: 8, PUBLISH_RETRY_INITIAL_MS: 100, PUBLISH_RETRY_MAX_MS: 5000 });
  });
});

describe('retry outcomes across the worker protocol', () => {
  it('returns a retriable StreamCoreError keeping the code the worker met', () => {
    const error = Object.assign(new Error('registry busy'), { code: 'MODEL_SOURCE_UNREACHABLE', retriable: true });
    const back = fromWire(toWire({ status: 'retry', record: rec('3'), error }), rec('3'));
    expect(back.status).toBe('retry');
    const relayed = back.status === 'retry' ? back.error : undefined;
    expect(relayed).toMatchObject({ code: 'SCORING_RETRY', context: { workerCode: 'MODEL_SOURCE_UNREACHABLE' } });
    expect(isRetriable(relayed)).toBe(true);
  });
});
