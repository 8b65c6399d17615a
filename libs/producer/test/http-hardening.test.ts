import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { aStarted } from '@ridestream/features/testing';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { createLogger, envSchemas, loadEnvConfig, silentLogger } from '@ridestream/runtime';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiKeyMatcher, apiKeysEnvSchema, createProducerApp, presentedKey } from '../src/index';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-fedcba9876543210';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function build(o: { apiKeys?: readonly string[]; rateLimitPerMinute?: number; bodyLimitBytes?: number } = {}) {
  const sent: OutgoingMessage[] = [];
  const app = createProducerApp({
    bodyLimitBytes: o.bodyLimitBytes ?? 64 * 1024,
    registry: new Registry(),
    isReady: () => true,
    apiKeys: o.apiKeys,
    rateLimitPerMinute: o.rateLimitPerMinute,
    rides: {
      topic: 'rides',
      publish: async (m) => void sent.push(...m),
      maxRidesPerRequest: 100,
      logger: silentLogger(),
      registry: new Registry(),
    },
  });
  apps.push(app);
  return { app, sent };
}

const postRide = (app: FastifyInstance, headers: Record<string, string> = {}, id = 'a') =>
  app.inject({ method: 'POST', url: '/rides', payload: aStarted(id), headers });

describe('API key auth', () => {
  it('is off when no keys are configured', async () => {
    const { app, sent } = build();
    expect((await postRide(app)).statusCode).toBe(202);
    expect(sent).toHaveLength(1);
  });

  it.each([
    ['x-api-key', { 'x-api-key': KEY_A }],
    ['Authorization: Bearer', { authorization: `Bearer ${KEY_B}` }],
    ['a lower-case bearer scheme', { authorization: `bearer ${KEY_A}` }],
  ])('accepts a configured key via %s', async (_name, headers) => {
    const { app, sent } = build({ apiKeys: [KEY_A, KEY_B] });
    expect((await postRide(app, headers)).statusCode).toBe(202);
    expect(sent).toHaveLength(1);
  });

  it.each([
    ['no key', {}],
    ['a wrong key', { 'x-api-key': 'key-c-not-configured-000' }],
    ['a prefix of a key', { 'x-api-key': KEY_A.slice(0, -1) }],
    ['a key with a suffix', { 'x-api-key': `${KEY_A}x` }],
    ['a Basic scheme', { authorization: `Basic ${KEY_A}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('answers 401 to %s, names nothing secret, publishes nothing', async (_name, headers) => {
    const { app, sent } = build({ apiKeys: [KEY_A, KEY_B] });
    const res = await postRide(app, headers);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).not.toContain(KEY_A);
    expect(res.body).not.toContain(KEY_B);
    expect(res.body).not.toContain('key-');
    expect(sent).toEqual([]);
  });

  it('checks the key before reading the body: an anonymous oversized body is 401, not 413', async () => {
    const { app } = build({ apiKeys: [KEY_A], bodyLimitBytes: 1024 });
    const big = Array.from({ length: 50 }, (_, i) => aStarted(`r${i}`));
    const res = await app.inject({ method: 'POST', url: '/rides', payload: big });
    expect(res.statusCode).toBe(401);
    const authed = await app.inject({ method: 'POST', url: '/rides', payload: big, headers: { 'x-api-key': KEY_A } });
    expect(authed.statusCode).toBe(413);
  });

  it('keeps /healthz, /readyz, /metrics and /openapi.json open', async () => {
    const { app } = build({ apiKeys: [KEY_A] });
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });

  it('matches only whole keys, whatever their length', () => {
    const matches = apiKeyMatcher([KEY_A, KEY_B]);
    expect(matches(KEY_A)).toBe(true);
    expect(matches(KEY_B)).toBe(true);
    expect(matches(undefined)).toBe(false);
    expect(matches('')).toBe(false);
    expect(matches(KEY_A.toUpperCase())).toBe(false);
    expect(matches(KEY_A + KEY_B)).toBe(false);
    expect(() => apiKeyMatcher([])).toThrow();
  });

  it('reads the key from x-api-key first, then a Bearer token', () => {
    expect(presentedKey({ headers: { 'x-api-key': 'k1', authorization: 'Bearer k2' } })).toBe('k1');
    expect(presentedKey({ headers: { authorization: 'Bearer k2' } })).toBe('k2');
    expect(presentedKey({ headers: { authorization: 'Bearer k2 k3' } })).toBeUndefined();
    expect(presentedKey({ headers: {} })).toBeUndefined();
  });
});

describe('API keys from the environment', () => {
  const schema = z.object({ KAFKA_BROKERS: envSchemas.brokers, PRODUCER_API_KEYS: apiKeysEnvSchema.optional() });

  it('splits a comma-separated list, dropping blanks', () => {
    const config = loadEnvConfig(schema, { KAFKA_BROKERS: 'k:9092', PRODUCER_API_KEYS: ` ${KEY_A} ,, ${KEY_B} ` });
    expect(config.PRODUCER_API_KEYS).toEqual([KEY_A, KEY_B]);
  });

  it('rejects a short key without echoing it', () => {
    expect(() => loadEnvConfig(schema, { KAFKA_BROKERS: 'k:9092', PRODUCER_API_KEYS: 'short' })).toThrow(
      /PRODUCER_API_KEYS/,
    );
    try {
      loadEnvConfig(schema, { KAFKA_BROKERS: 'k:9092', PRODUCER_API_KEYS: 'short' });
    } catch (err) {
      expect(JSON.stringify(err) + String(err)).not.toContain('short');
    }
  });

  it('reads keys from PRODUCER_API_KEYS_FILE and never writes them to the logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ridestream-keys-'));
    try {
      const file = join(dir, 'keys');
      writeFileSync(file, `${KEY_A},${KEY_B}\n`);
      const config = loadEnvConfig(schema.extend({ KAFKA_SASL_PASSWORD: z.string().optional() }), {
        KAFKA_BROKERS: 'k:9092',
        PRODUCER_API_KEYS_FILE: file,
        KAFKA_SASL_PASSWORD: 'sasl-secret-xyz',
      });
      expect(config.PRODUCER_API_KEYS).toEqual([KEY_A, KEY_B]);

      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const logger = createLogger({ name: 'producer', level: 'info', destination: out });
      logger.info(config, 'config as the root object');
      logger.info({ config }, 'config nested');
      logger.child({ config }).info('config in a child');
      const text = Buffer.concat(chunks).toString('utf8');

      expect(text.split('\n').filter(Boolean)).toHaveLength(3);
      expect(text).toContain('[redacted]');
      expect(text).toContain('k:9092');
      for (const secret of [KEY_A, KEY_B, 'key-a', 'key-b', 'sasl-secret-xyz']) expect(text).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rate limit', () => {
  it('is off when unset', async () => {
    const { app } = build();
    for (let i = 0; i < 30; i++) expect((await postRide(app, {}, `r${i}`)).statusCode).toBe(202);
  });

  it('answers 429 with retry-after above the limit, and leaves probes alone', async () => {
    const { app, sent } = build({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await postRide(app, {}, `r${i}`)).statusCode).toBe(202);
    const res = await postRide(app, {}, 'over');
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.json()).toMatchObject({ error: 'too many requests' });
    expect(sent.map((m) => m.key)).toEqual(['r0', 'r1', 'r2']);
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });

  it('throttles key guessing: unauthenticated requests count against the limit', async () => {
    const { app } = build({ rateLimitPerMinute: 2, apiKeys: [KEY_A] });
    expect((await postRide(app, { 'x-api-key': 'guess-1-xxxxxxxxxxxx' })).statusCode).toBe(401);
    expect((await postRide(app, { 'x-api-key': 'guess-2-xxxxxxxxxxxx' })).statusCode).toBe(401);
    expect((await postRide(app, { 'x-api-key': KEY_A })).statusCode).toBe(429);
  });
});
