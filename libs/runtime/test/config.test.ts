import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PassThrough } from 'node:stream';
import { ConfigError, createLogger, envSchemas, loadEnvConfig, normaliseEnv } from '../src/index';

// A transport-like fragment of our own: the real Kafka one lives in libs/kafka, which runtime does not import.
const schema = z.object({
  KAFKA_BROKERS: envSchemas.brokers,
  KAFKA_SSL: envSchemas.flag.default(false),
  BATCH_SIZE: envSchemas.positiveInt.default(500),
  DRY_RUN: envSchemas.flag.default(false),
});

describe('loadEnvConfig', () => {
  it('returns typed values with defaults', () => {
    const c = loadEnvConfig(schema, { KAFKA_BROKERS: 'a:9092, b:9093', BATCH_SIZE: '64', DRY_RUN: 'true' });
    expect(c).toMatchObject({ KAFKA_BROKERS: ['a:9092', 'b:9093'], BATCH_SIZE: 64, DRY_RUN: true, KAFKA_SSL: false });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('treats empty strings as unset', () => {
    const c = loadEnvConfig(schema, { KAFKA_BROKERS: 'a:1', BATCH_SIZE: '  ' });
    expect(c.BATCH_SIZE).toBe(500);
  });

  it('rejects every bad variable at once, naming each', () => {
    try {
      loadEnvConfig(schema, { KAFKA_BROKERS: 'nohostport', BATCH_SIZE: '-1', DRY_RUN: 'maybe' });
      expect.unreachable('loadEnvConfig accepted a bad environment');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).issues.map((i) => i.variable).sort();
      expect(vars).toEqual(['BATCH_SIZE', 'DRY_RUN', 'KAFKA_BROKERS']);
      expect((err as ConfigError).code).toBe('CONFIG_INVALID');
      expect((err as ConfigError).message).toContain('BATCH_SIZE');
    }
  });

  it('rejects a missing required variable by name', () => {
    expect(() => loadEnvConfig(schema, {})).toThrow(/KAFKA_BROKERS/);
  });

  it('never parses a boolean by truthiness', () => {
    expect(loadEnvConfig(z.object({ F: envSchemas.flag }), { F: 'false' }).F).toBe(false);
    expect(loadEnvConfig(z.object({ F: envSchemas.flag }), { F: '0' }).F).toBe(false);
  });
});

describe('normaliseEnv', () => {
  const files: Record<string, string> = { '/run/secrets/pw': 's3cret\n' };
  const read = (p: string) => {
    const v = files[p];
    if (v === undefined) throw new Error('ENOENT');
    return v;
  };

  it('reads NAME_FILE into NAME', () => {
    expect(normaliseEnv({ KAFKA_SASL_PASSWORD_FILE: '/run/secrets/pw' }, ['KAFKA_SASL_PASSWORD'], read)).toEqual({
      KAFKA_SASL_PASSWORD: 's3cret',
    });
  });

  it('prefers an explicit NAME over NAME_FILE', () => {
    expect(normaliseEnv({ X_FILE: '/run/secrets/pw', X: 'direct' }, ['X'], read)).toEqual({ X: 'direct' });
  });

  it('fails naming the _FILE variable when the file is missing', () => {
    expect(() => normaliseEnv({ X_FILE: '/nope' }, ['X'], read)).toThrow(/X_FILE/);
  });

  it('ignores *_FILE variables it was not asked about', () => {
    expect(normaliseEnv({ TF_CLI_CONFIG_FILE: '/nope', X: '1' }, ['X'], read)).toEqual({ X: '1' });
  });
});

describe('createLogger', () => {
  it('redacts secrets wherever they are logged', async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n')));
    const log = createLogger({ name: 't', level: 'info', destination: out });
    log.info(
      {
        sasl: { password: 'hunter2' },
        config: { KAFKA_SASL_PASSWORD: 'p4ss', PRODUCER_API_KEYS: 'k1' },
        req: { headers: { authorization: 'Bearer x' } },
      },
      'connecting',
    );
    await new Promise((r) => setImmediate(r));
    const text = lines.join('\n');
    expect(text).toContain('connecting');
    expect(text).not.toMatch(/hunter2|p4ss|k1|Bearer x/);
    expect(text).toContain('[redacted]');
  });
});
