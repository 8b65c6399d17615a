import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  isRetriable,
  loadEnvConfig,
  RetriesExhaustedError,
  retryEnvSchema,
  retrySettings,
  RidestreamError,
  RuntimeError,
  UNKNOWN_ERRORS_ARE_RETRIABLE,
} from '../src/index';

class TestError extends RidestreamError<'TEST_FAILED' | 'TEST_BUSY', { readonly topic?: string }> {
  override readonly name = 'TestError';
}

describe('RidestreamError', () => {
  it('returns code, retriable, cause and context from its one constructor', () => {
    const cause = new Error('socket hang up');
    const err = new TestError('TEST_BUSY', 'broker busy', { retriable: true, cause, context: { topic: 'rides' } });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'TestError',
      code: 'TEST_BUSY',
      message: 'broker busy',
      retriable: true,
      cause,
      context: { topic: 'rides' },
    });
  });

  it('returns a non-retriable error with an empty context and no cause by default', () => {
    const err = new TestError('TEST_FAILED', 'bad');
    expect(err.retriable).toBe(false);
    expect(err.context).toEqual({});
    expect('cause' in err).toBe(false);
  });

  it('returns the runtime errors as RidestreamErrors with their codes', () => {
    expect(new ConfigError([{ variable: 'A', message: 'required' }])).toMatchObject({
      code: 'CONFIG_INVALID',
      retriable: false,
    });
    expect(new RetriesExhaustedError('gave up', [1, 2])).toBeInstanceOf(RidestreamError);
    expect(new RuntimeError('ABORTED', 'x')).toBeInstanceOf(RidestreamError);
  });
});

describe('isRetriable', () => {
  it.each([
    ['a typed retriable error', new TestError('TEST_BUSY', 'x', { retriable: true }), true],
    ['a typed non-retriable error', new TestError('TEST_FAILED', 'x'), false],
    ["a client's error flagged retriable (kafkajs)", Object.assign(new Error('x'), { retriable: true }), true],
    ["a client's error flagged non-retriable", Object.assign(new Error('x'), { retriable: false }), false],
    ['a relayed plain object', { code: 'MODEL_RUN_FAILED', retriable: false }, false],
    ['an unknown error (a bug)', new TypeError('x is undefined'), true],
    ['a thrown string', 'boom', true],
    ['undefined', undefined, true],
    ['a flag that is not a boolean', Object.assign(new Error('x'), { retriable: 'no' }), true],
  ])('returns the one answer for %s', (_what, error, expected) => {
    expect(isRetriable(error)).toBe(expected);
  });

  it('returns true for unknown errors, as documented', () => {
    expect(UNKNOWN_ERRORS_ARE_RETRIABLE).toBe(true);
  });

  it("returns the classifier's answer first, then the flag when it does not know", () => {
    const aws = Object.assign(new Error('x'), { name: 'ValidationException' });
    const classify = (e: unknown) => ((e as Error).name === 'ValidationException' ? false : undefined);
    expect(isRetriable(aws, classify)).toBe(false);
    expect(isRetriable(Object.assign(new Error('y'), { retriable: false }), classify)).toBe(false);
    expect(isRetriable(new Error('unknown'), classify)).toBe(true);
  });
});

describe('retryEnvSchema', () => {
  const schema = z.object({ ...retryEnvSchema('PUBLISH', { retries: 8, initialMs: 100, maxMs: 5000 }).shape });

  it('returns the defaults as RetrySettings when nothing is set', () => {
    expect(retrySettings(loadEnvConfig(schema, {}), 'PUBLISH')).toEqual({ retries: 8, initialMs: 100, maxMs: 5000 });
  });

  it('returns the settings the environment gives', () => {
    const config = loadEnvConfig(schema, {
      PUBLISH_RETRIES: '0',
      PUBLISH_RETRY_INITIAL_MS: '5',
      PUBLISH_RETRY_MAX_MS: '50',
    });
    expect(retrySettings(config, 'PUBLISH')).toEqual({ retries: 0, initialMs: 5, maxMs: 50 });
  });

  it('rejects a backoff of zero, naming the variable', () => {
    expect(() => loadEnvConfig(schema, { PUBLISH_RETRY_INITIAL_MS: '0' })).toThrow(/PUBLISH_RETRY_INITIAL_MS/);
  });
});
