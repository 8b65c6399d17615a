// Issue 15: the web dashboard, in a real browser (Debian's chromium through playwright-core) on each transport,
// against the real broker and the local Kinesis: the page loads, its counters move while rides flow, a dead letter
// shows up under its reason, and a screenshot is kept in test-results/. Issue 14: on Kafka, the model monitor's
// panels show the RMSE per model version that the real monitor published on its `model-metrics` topic.
import { artifactPath, launchChromium } from '@ridestream/browser';
import {
  createDashboardService,
  openKafkaTap,
  openKinesisTap,
  type TapOptions,
  type TapStreams,
} from '@ridestream/dashboard';
import { freePort, startService, stopService, waitReady } from '@ridestream/dev-services';
import { freshStreams } from '@ridestream/kinesis-tool';
import { brokers, collect, freshTopics, testKafka, testLogger, unique, waitFor } from '@ridestream/testing';
import { rideTimeline } from '@ridestream/tlc';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { putAll, startKinesisConsumer, useLocalKinesis } from './conformance-kinesis-adapter';
import { modelPath, produceAll, realCleanRides, realRides, startConsumer } from './helpers';

const ROOT = new URL('../../', import.meta.url).pathname;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Send = (records: readonly { key: string; value: string }[]) => Promise<void>;

/** One transport, set up for the test: fresh streams, a real duration consumer on them, a way to write rides. */
interface Rig {
  readonly name: 'kafka' | 'kinesis';
  readonly label: string;
  readonly streams: TapStreams;
  readonly openTap: (h: Pick<TapOptions, 'onRecords' | 'onError'>) => ReturnType<typeof openKafkaTap>;
  /** The consumer's /metrics. */
  readonly metricsUrl: string;
  readonly send: Send;
}

async function kafkaRig(): Promise<Rig> {
  const kafka = testKafka();
  const [rides, predictions, dlq] = await freshTopics(kafka, ['rides', 'ride-duration-predictions', 'rides.dlq']);
  const consumer = await startConsumer('duration', {
    INPUT_TOPIC: rides,
    OUTPUT_TOPIC: predictions,
    DEAD_LETTER_TOPIC: dlq,
  });
  cleanups.push(() => consumer.service.stop());
  const producer = kafka.producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const streams = { rides, predictions: [predictions], deadLetters: dlq };
  return {
    name: 'kafka',
    label: `Kafka ${brokers().join(',')}`,
    streams,
    openTap: (h) =>
      openKafkaTap({
        ...h,
        connection: { brokers: brokers(), clientId: 'dashboard-test' },
        logger: testLogger(),
        streams,
        fromBeginning: true,
      }),
    metricsUrl: `http://127.0.0.1:${consumer.service.ops.port()}/metrics`,
    send: async (records) => void (await producer.send({ topic: rides, messages: [...records] })),
  };
}

const local = useLocalKinesis();

async function kinesisRig(): Promise<Rig> {
  const client = local.client();
  const [rides, predictions, dlq] = await freshStreams(client, ['rides', 'ride-duration-predictions', 'rides-dlq']);
  const consumer = await startKinesisConsumer('duration', local.endpoints(), {
    INPUT_STREAM: rides,
    OUTPUT_STREAM: predictions,
    DEAD_LETTER_STREAM: dlq,
    APPLICATION_NAME: unique('duration-consumer'),
  });
  cleanups.push(() => consumer.service.stop());
  const streams = { rides, predictions: [predictions], deadLetters: dlq };
  return {
    name: 'kinesis',
    label: `Kinesis ${local.endpoints().kinesisEndpoint}`,
    streams,
    openTap: (h) => openKinesisTap({ ...h, client, streams, fromBeginning: true, idlePollMs: 200 }),
    metricsUrl: `http://127.0.0.1:${consumer.service.ops.port()}/metrics`,
    send: (records) => putAll(client, rides, records),
  };
}

/** The number a counter of the page shows now. */
const counter = async (page: Page, id: string) => Number(await page.textContent(`#${id}`));

/** Waits until the page's counter `id` is above `than`, and returns what it shows. */
async function counterAbove(page: Page, id: string, than: number): Promise<number> {
  let now = 0;
  await waitFor(async () => (now = await counter(page, id)) > than, `#${id} above ${than}`, 60_000, 100);
  return now;
}

describe.each([
  ['Kafka', kafkaRig],
  ['Kinesis', kinesisRig],
] as const)('web dashboard on %s', (_name, makeRig) => {
  it('shows rides and predictions moving, a dead letter under its reason, and the consumer scraped', async () => {
    const rig = await makeRig();
    const dashboard = createDashboardService({
      openTap: rig.openTap,
      transport: rig.label,
      targets: [{ name: 'duration-consumer', url: rig.metricsUrl }],
      host: '127.0.0.1',
      port: 0,
      tickMs: 250,
      scrapeMs: 500,
      historyFrames: 600,
      logger: testLogger(),
    });
    await dashboard.start();
    cleanups.push(() => dashboard.stop());

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${dashboard.http.port()}/`);
    await page.waitForSelector('#connection[data-state="live"]');
    expect(await page.textContent('#transport')).toBe(rig.label);

    // Rides keep flowing while the page is watched: a batch every 100 ms until the test is done.
    const events = await realRides(3000);
    let sent = 0;
    let flowing = true;
    const flow = (async () => {
      while (flowing && sent < events.length) {
        const batch = events.slice(sent, sent + 50);
        await rig.send(batch.map((e) => ({ key: e.rideId, value: JSON.stringify(e) })));
        sent += batch.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    cleanups.push(async () => ((flowing = false), await flow));

    const ridesSeen = await counterAbove(page, 'rides-total', 0);
    const predictionsSeen = await counterAbove(page, 'predictions-total', 0);
    // Moving, not just set once: both counters go up again while rides flow.
    await counterAbove(page, 'rides-total', ridesSeen);
    await counterAbove(page, 'predictions-total', predictionsSeen);
    // The rate is per tick, and predictions arrive in bursts (Kinesis polls): wait for a tick that had some.
    await waitFor(
      async () => /^[1-9][\d,.]*\/s$/.test((await page.textContent('#predictions-rate')) ?? ''),
      'a non-zero prediction rate',
      30_000,
      50,
    );

    // A record that is not JSON: the real consumer dead-letters it with its reason, the page lists it under it.
    await rig.send([{ key: 'bad-ride', value: 'this is not json' }]);
    const row = page.locator('#dead-letters tr[data-key="INVALID_JSON"]');
    await row.waitFor({ timeout: 60_000 });
    expect(await row.locator('td').nth(1).textContent()).toBe('1');
    expect(await row.locator('td.reason').textContent()).toMatch(/JSON/);
    expect(await counter(page, 'dead-letters-total')).toBe(1);

    // The consumer's /metrics is scraped: it is up, and the dead letter names it as the scrape does (header vs label).
    const instance = page.locator('#instances tr[data-key="duration-consumer"]');
    await waitFor(async () => (await instance.locator('td').nth(1).textContent()) === 'up', 'the consumer up', 30_000);
    const role = await instance.locator('td').nth(2).textContent();
    expect(role).toMatch(/^duration-consumer-/);
    expect(await row.locator('td').nth(2).textContent()).toBe(role);

    // Every chart is drawn by uPlot (on a canvas), the latest predictions are listed, the monitor slot says it is absent.
    for (const chart of ['rides', 'predictions', 'lag', 'dead-letters', 'e2e', 'versions'])
      await page.waitForSelector(`#chart-${chart} canvas`, { timeout: 30_000 });
    await page.locator('#latest tbody tr').first().waitFor();
    expect(await page.textContent('#monitor-status')).toBe('no monitor');
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: artifactPath(`dashboard-${rig.name}.png`), fullPage: true });
  });
});

describe('web dashboard monitor panels on Kafka', () => {
  it('shows the RMSE per model version and window that the real monitor published on model-metrics', async () => {
    const kafka = testKafka();
    const [rides, durationOut, tipOut, dlq] = await freshTopics(kafka, ['rides', 'duration-out', 'tip-out', 'dlq']);
    const [metrics] = await freshTopics(kafka, ['model-metrics'], 1);
    const consumer = await startConsumer('duration', {
      INPUT_TOPIC: rides,
      OUTPUT_TOPIC: durationOut,
      DEAD_LETTER_TOPIC: dlq,
    });
    cleanups.push(() => consumer.service.stop());
    // The monitor as it runs in production, its own process; 30-minute windows so that a few hours of rides close
    // several. Nobody scores tips here: their empty topic stops holding event time back after SOURCE_IDLE_MS (the
    // default 30 s: a shorter one let the rides run ahead of the predictions of a consumer that paused, late).
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-monitor-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const monitor = startService(
      {
        name: 'monitor',
        entry: 'apps/monitor/src/main.ts',
        port,
        env: {
          KAFKA_BROKERS: brokers().join(','),
          INPUT_TOPIC: rides,
          DURATION_PREDICTIONS_TOPIC: durationOut,
          TIP_PREDICTIONS_TOPIC: tipOut,
          METRICS_TOPIC: metrics,
          CONSUMER_GROUP: unique('monitor'),
          STATE_DIR: join(dir, 'state'),
          WINDOW_MS: String(30 * 60_000),
          MAX_TRUTH_DELAY_MS: String(90 * 60_000),
          DURATION_REFERENCE_PROFILE: join(modelPath('duration'), '..', 'reference_profile.json'),
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(port),
        },
      },
      ROOT,
      join(dir, 'logs'),
      process.env,
    );
    cleanups.push(() => stopService(monitor));
    await waitReady(monitor, 180_000);

    const streams = { rides, predictions: [durationOut], deadLetters: dlq, metrics };
    const dashboard = createDashboardService({
      openTap: (h) =>
        openKafkaTap({
          ...h,
          connection: { brokers: brokers(), clientId: 'dashboard-test' },
          logger: testLogger(),
          streams,
          fromBeginning: true,
        }),
      transport: `Kafka ${brokers().join(',')}`,
      targets: [],
      host: '127.0.0.1',
      port: 0,
      tickMs: 250,
      scrapeMs: 500,
      historyFrames: 600,
      monitorSource: metrics,
      logger: testLogger(),
    });
    await dashboard.start();
    cleanups.push(() => dashboard.stop());
    // What the monitor published, read on our own: the figures the page must show.
    const published = await collect(kafka, metrics);
    cleanups.push(() => published.stop());

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${dashboard.http.port()}/`);
    await page.waitForSelector('#connection[data-state="live"]');
    expect(await page.textContent('#monitor-status')).toMatch(/^fed by .*no window has closed yet/);

    // A few hours of real rides under 90 minutes, every ride's three events on the ride's clock.
    const clean = (await realCleanRides(600)).filter(
      (r) => Date.parse(r.completed.occurredAt) - Date.parse(r.started.occurredAt) <= 90 * 60_000,
    );
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    await produceAll(
      producer,
      rides,
      [...rideTimeline(clean)].map((e) => ({ key: e.rideId, value: JSON.stringify(e) })),
    );

    type Accuracy = {
      type: string;
      model: { name: string; version: string };
      role: string;
      windowStart: string;
      rmse: number | null;
      matched: number;
    };
    const records = () =>
      published.messages
        .map((m) => JSON.parse(m.value!.toString()) as Accuracy)
        .filter((r) => r.type === 'accuracy' && r.role === 'champion');
    const row = page.locator('#accuracy tr[data-key^="duration ride-duration@"][data-key$=" champion"]').first();
    let shown: Accuracy | undefined;
    let cells: string[] = [];
    // The page's row is the latest window of that version; wait until our reader has that window too.
    await waitFor(
      async () => {
        if ((await row.count()) === 0) return false;
        cells = await row.locator('td').allTextContents();
        shown = records().find(
          (r) =>
            `${r.model.name}@${r.model.version}` === cells[1] && r.windowStart.slice(0, 16) === cells[3]?.slice(0, 16),
        );
        return shown !== undefined;
      },
      'the page to show a window the monitor published',
      120_000,
      100,
    );
    expect(shown!.matched).toBeGreaterThan(0);
    // A real figure: the RMSE the monitor computed for that window, as the page rounds it (four decimals).
    expect(shown!.rmse).toBeGreaterThan(0);
    expect(cells[7]).toBe(shown!.rmse!.toFixed(4));
    expect(cells[5]).toBe(String(shown!.matched));
    expect(await page.textContent('#monitor-status')).toMatch(/^fed by .*: [1-9]\d* closed windows$/);
    // Drift against the shipped reference profile: one row per feature of the scored event.
    await page.locator('#drift tbody tr').first().waitFor({ timeout: 60_000 });
    await page.waitForSelector('#chart-rmse canvas', { timeout: 30_000 });
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: artifactPath('dashboard-monitor.png'), fullPage: true });
    // A monitor process to start, windows that close only once their rides' outcomes are in: a loaded box needs time.
  }, 300_000);
});
