/**
 * The OpenAPI documents drive a property-based HTTP test (schemathesis) against the real services as processes:
 * the producer on the real broker and the prediction-api with the shipped models. Every response must have a
 * documented status, content type and body schema, no 5xx, and anything the schema forbids must be rejected.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, startService, stopService, waitReady, type RunningService } from '@ridestream/dev-services';
import { brokers, collect, freshTopics, spawnProcess, testKafka, waitFor } from '@ridestream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPORTS = `${ROOT}.cache/schemathesis/reports`;
const running: RunningService[] = [];
let schemathesis = '';

beforeAll(async () => {
  // The project's own script installs the pinned schemathesis (idempotent: fast once installed).
  const { stdout } = await promisify(execFile)(`${ROOT}tools/contracts/bin/setup-schemathesis`, { cwd: ROOT });
  schemathesis = stdout.trim();
  mkdirSync(REPORTS, { recursive: true });
});
afterAll(async () => {
  await Promise.all(running.splice(0).map((s) => stopService(s)));
});

async function start(name: string, entry: string, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const s = startService(
    { name, entry, port, env: { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), LOG_LEVEL: 'warn', ...env } },
    ROOT,
    `${ROOT}.cache/schemathesis/logs`,
    process.env,
  );
  running.push(s);
  await waitReady(s);
  return `http://127.0.0.1:${port}`;
}

/**
 * Bounded (a fixed seed, at most 25 cases per phase) so it stays a test, not a fuzzing campaign. One check is left
 * out: `positive_data_acceptance`, because the contract's date range (2000-2100) is a zod refinement that JSON Schema
 * does not carry, so a schema-valid year 0020 is rightly a 400.
 */
async function runSchemathesis(
  name: string,
  spec: string,
  url: string,
): Promise<{ code: number | string; out: string }> {
  // The document the service serves is the committed one; schemathesis is then driven by what clients download.
  const served = (await (await fetch(`${url}/openapi.json`)).json()) as object;
  expect(served, `${url}/openapi.json`).toEqual(JSON.parse(readFileSync(`${ROOT}${spec}`, 'utf8')));
  const args = [
    'run',
    `${url}/openapi.json`,
    '--url',
    url,
    '--max-examples',
    '25',
    '--seed',
    '20261201',
    '--workers',
    '1',
    '--phases',
    'examples,coverage,fuzzing',
    '--checks',
    'all',
    '--exclude-checks',
    'positive_data_acceptance',
    // No example database: a run depends on the seed only, not on what an earlier run found.
    '--generation-database',
    'none',
    '--request-timeout',
    '30',
    '--report',
    'junit',
    '--report-junit-path',
    `${REPORTS}/${name}.junit.xml`,
  ];
  // Its working directory under .cache: schemathesis keeps state in ./.schemathesis.
  const run = spawnProcess(schemathesis, args, { cwd: `${ROOT}.cache/schemathesis`, env: { NO_COLOR: '1' } });
  const code = await run.exited;
  return { code, out: run.output() };
}

const acceptedTotal = async (url: string) =>
  Number(/^ridestream_rides_accepted_total\{[^}]*\} (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);

describe('the OpenAPI documents, property-tested against the real services', () => {
  it('producer: every response of POST /rides conforms, and every 202 ride is on the topic', async () => {
    const kafka = testKafka();
    const [rides] = await freshTopics(kafka, ['rides'], 3);
    const url = await start('producer', 'apps/producer/src/main.ts', {
      KAFKA_BROKERS: brokers().join(','),
      RIDES_TOPIC: rides,
    });
    const topic = await collect(kafka, rides);
    try {
      const { code, out } = await runSchemathesis('producer', 'docs/contracts/producer.openapi.json', url);
      expect(code, out).toBe(0);
      // The positive cases really went through: what the producer counted as accepted is on the topic.
      const accepted = await acceptedTotal(url);
      expect(accepted).toBeGreaterThan(0);
      await waitFor(() => topic.messages.length >= accepted, `${accepted} rides on ${rides}`, 60_000);
      expect(topic.messages.length).toBe(accepted);
    } finally {
      await topic.stop();
    }
  });

  it('prediction-api: every response of POST /predict conforms', async () => {
    const url = await start('prediction-api', 'apps/prediction-api/src/main.ts', {});
    const { code, out } = await runSchemathesis('prediction-api', 'docs/contracts/prediction-api.openapi.json', url);
    expect(code, out).toBe(0);
    expect(out).toMatch(/\d+ generated/);
  });
});
