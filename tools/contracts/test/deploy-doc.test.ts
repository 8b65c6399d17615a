import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { appRows, loadAppConfigSchemas, renderEnvSection } from '../src/deploy-doc';
import { describeVariable } from '../src/env-doc';
import { REPO_ROOT } from '../src/documents';

describe('docs/DEPLOY.md', () => {
  it('lists every variable of every app, TRANSPORT and the Kinesis ones among them', async () => {
    const apps = await loadAppConfigSchemas(REPO_ROOT);
    expect(apps.map((a) => a.app)).toEqual(
      expect.arrayContaining(['producer', 'duration-consumer', 'tip-consumer', 'prediction-api']),
    );
    const section = renderEnvSection(apps);
    for (const a of apps) {
      for (const schema of Object.values(a.schemas)) {
        for (const name of Object.keys(schema.shape)) expect(section).toContain(`\`${name}\``);
      }
    }
    const producer = appRows(apps.find((a) => a.app === 'producer')!);
    expect(producer.find((r) => r.name === 'TRANSPORT')).toMatchObject({ default: 'kafka', transports: [] });
    expect(producer.find((r) => r.name === 'RIDES_STREAM')).toMatchObject({ transports: ['kinesis'] });
    expect(producer.find((r) => r.name === 'PRODUCER_API_KEYS')).toMatchObject({ transports: ['kafka', 'kinesis'] });
  });

  it('rejects an app variable without a description, naming it', () => {
    const schema = z.object({ UNDOCUMENTED_VAR: z.string().default('x') });
    expect(() => renderEnvSection([{ app: 'demo', schemas: { '': schema } }])).toThrow(/UNDOCUMENTED_VAR/);
  });
});

describe('describeVariable', () => {
  it.each([
    [
      'a default under a description',
      z.coerce.number().int().min(0).max(9).default(3).describe('d'),
      3,
      'integer 0..9',
    ],
    ['a description under a default', z.enum(['a', 'b']).describe('d').default('b'), 'b', '`a`, `b`'],
    ['an optional URL', z.url().optional().describe('d'), null, 'URL'],
    ['a required string', z.string().describe('d'), undefined, undefined],
    ['a flag', z.stringbool().default(false).describe('d'), false, '`true`/`false` (also `1`/`0`, `yes`/`no`)'],
  ])('returns the default and values of %s', (_, schema, fallback, values) => {
    expect(describeVariable('X', schema)).toEqual({ name: 'X', default: fallback, description: 'd', values });
  });
});
