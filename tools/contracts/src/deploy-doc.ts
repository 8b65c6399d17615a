import { readdirSync, existsSync } from 'node:fs';
import { transportEnvSchema } from '@ridestream/runtime';
import type { z } from 'zod';
import { describeEnvSchema, type EnvVariable } from './env-doc';

/** Where the generated part of docs/DEPLOY.md starts and ends; everything outside is written by hand. */
export const DEPLOY_DOC_BEGIN =
  '<!-- BEGIN GENERATED: `npm run contracts` writes this section from apps/*/src/config.ts -->';
export const DEPLOY_DOC_END = '<!-- END GENERATED -->';

export interface AppConfigSchemas {
  readonly app: string;
  /** Schema per transport (`kafka`, `kinesis`); `''` for an app with one schema and no `TRANSPORT`. */
  readonly schemas: Readonly<Record<string, z.ZodObject>>;
}

const TRANSPORT_SCHEMAS: Record<string, string> = { kafkaConfigSchema: 'kafka', kinesisConfigSchema: 'kinesis' };

/**
 * Every app's zod config schemas, found by export name: `configSchema` for a single-schema app, `kafkaConfigSchema`
 * and `kinesisConfigSchema` for an app that `TRANSPORT` switches. The modules are loaded by path because tools may
 * not import apps statically (module boundaries); a config module only declares schemas, so loading it is harmless.
 */
export async function loadAppConfigSchemas(root: URL): Promise<AppConfigSchemas[]> {
  const apps = readdirSync(new URL('apps/', root)).filter((a) => existsSync(new URL(`apps/${a}/src/config.ts`, root)));
  const out: AppConfigSchemas[] = [];
  for (const app of apps.sort()) {
    const mod = (await import(new URL(`apps/${app}/src/config.ts`, root).href)) as Record<string, unknown>;
    const schemas: Record<string, z.ZodObject> = {};
    if (mod.configSchema) schemas[''] = mod.configSchema as z.ZodObject;
    for (const [name, transport] of Object.entries(TRANSPORT_SCHEMAS)) {
      if (mod[name]) schemas[transport] = mod[name] as z.ZodObject;
    }
    if (Object.keys(schemas).length === 0) {
      throw new Error(`apps/${app}/src/config.ts exports none of configSchema, kafkaConfigSchema, kinesisConfigSchema`);
    }
    out.push({ app, schemas });
  }
  return out;
}

interface Row extends EnvVariable {
  transports: string[];
}

/** One app's variables; a variable with the same default and meaning on every transport is one row. */
export function appRows(a: AppConfigSchemas): Row[] {
  const transports = Object.keys(a.schemas).filter((t) => t !== '');
  const rows: Row[] = [];
  const add = (v: EnvVariable, transport: string) => {
    const same = rows.find(
      (r) => r.name === v.name && r.description === v.description && sameValue(r.default, v.default),
    );
    if (same) same.transports.push(transport);
    else rows.push({ ...v, transports: transport ? [transport] : [] });
  };
  if (transports.length > 1) describeEnvSchema(transportEnvSchema).forEach((v) => add(v, ''));
  for (const [transport, schema] of Object.entries(a.schemas))
    describeEnvSchema(schema).forEach((v) => add(v, transport));
  return rows;
}

const sameValue = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function renderDefault(v: unknown): string {
  if (v === undefined) return '**required**';
  if (v === null) return '-';
  return `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
}

/** The generated section of docs/DEPLOY.md, markers included. */
export function renderEnvSection(apps: readonly AppConfigSchemas[]): string {
  const parts = [DEPLOY_DOC_BEGIN, ''];
  // Every undescribed variable of every app at once, so one run lists all there is to fix.
  const missing = apps.flatMap((a) => {
    const names = appRows(a)
      .filter((r) => !r.description)
      .map((r) => r.name);
    return names.length ? [`apps/${a.app}/src/config.ts: add .describe() to ${names.join(', ')}`] : [];
  });
  if (missing.length) throw new Error(missing.join('\n'));
  for (const a of apps) {
    const rows = appRows(a);
    const transported = Object.keys(a.schemas).length > 1;
    parts.push(
      `### ${a.app}`,
      '',
      `From \`apps/${a.app}/src/config.ts\`${transported ? '; `TRANSPORT` picks the schema' : ''}.`,
      '',
    );
    const header = ['variable', ...(transported ? ['transport'] : []), 'default', 'values', 'meaning'];
    parts.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
    for (const r of rows) {
      // A variable read on every transport (or before the choice, like `TRANSPORT` itself) says `both`.
      const transport = r.transports.length === 1 ? r.transports[0]! : 'both';
      const cells = [
        `\`${r.name}\``,
        ...(transported ? [transport] : []),
        renderDefault(r.default),
        r.values ?? '',
        r.description ?? '',
      ];
      parts.push(`| ${cells.map(cell).join(' | ')} |`);
    }
    parts.push('');
  }
  parts.push(DEPLOY_DOC_END);
  return parts.join('\n');
}

/** `doc` with its generated section replaced; fails when the markers are missing (someone edited them away). */
export function replaceEnvSection(doc: string, section: string): string {
  const begin = doc.indexOf(DEPLOY_DOC_BEGIN);
  const end = doc.indexOf(DEPLOY_DOC_END);
  if (begin < 0 || end < begin)
    throw new Error(`docs/DEPLOY.md: markers ${DEPLOY_DOC_BEGIN} ... ${DEPLOY_DOC_END} not found`);
  return doc.slice(0, begin) + section + doc.slice(end + DEPLOY_DOC_END.length);
}
