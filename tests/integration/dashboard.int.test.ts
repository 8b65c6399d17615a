// Issue 15: the web dashboard, in a real browser (Debian's chromium through playwright-core) against the real
// broker: the page loads, its counters move while rides flow, a dead letter shows up under its reason, and a
// screenshot is kept in test-results/.
import { artifactPath, launchChromium } from '@ridestream/browser';
import { createDashboardService, openKafkaTap } from '@ridestream/dashboard';
import { brokers, freshTopics, testKafka, testLogger, waitFor } from '@ridestream/testing';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { realRides, startConsumer } from './helpers';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The number a counter of the page shows now. */
const counter = async (page: Page, id: string) => Number(await page.textContent(`#${id}`));

/** Waits until the page's counter `id` is above `than`, and returns what it shows. */
async function counterAbove(page: Page, id: string, than: number): Promise<number> {
  let now = 0;
  await waitFor(async () => (now = await counter(page, id)) > than, `#${id} above ${than}`, 60_000, 100);
  return now;
}

describe('web dashboard (Kafka)', () => {
  it('shows rides and predictions moving, a dead letter under its reason, and the consumer scraped', async () => {
    const kafka = testKafka();
    const [rides, predictions, dlq] = await freshTopics(kafka, ['rides', 'ride-duration-predictions', 'rides.dlq']);
    const consumer = await startConsumer('duration', {
      INPUT_TOPIC: rides,
      OUTPUT_TOPIC: predictions,
      DEAD_LETTER_TOPIC: dlq,
    });
    cleanups.push(() => consumer.service.stop());
    const dashboard = createDashboardService({
      openTap: (h) =>
        openKafkaTap({
          ...h,
          connection: { brokers: brokers(), clientId: 'dashboard-test' },
          logger: testLogger(),
          streams: { rides, predictions: [predictions], deadLetters: dlq },
          fromBeginning: true,
        }),
      transport: `Kafka ${brokers().join(',')}`,
      targets: [{ name: 'duration-consumer', url: `http://127.0.0.1:${consumer.service.ops.port()}/metrics` }],
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

    // Rides keep flowing while the page is watched: a batch every 100 ms until the test is done.
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const events = await realRides(3000);
    let sent = 0;
    let flowing = true;
    const flow = (async () => {
      while (flowing && sent < events.length) {
        const batch = events.slice(sent, sent + 50);
        await producer.send({
          topic: rides,
          messages: batch.map((e) => ({ key: e.rideId, value: JSON.stringify(e) })),
        });
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
    expect(await page.textContent('#predictions-rate')).toMatch(/^[1-9][\d,.]*\/s$/);

    // A record that is not JSON: the real consumer dead-letters it with its reason, the page lists it under it.
    await producer.send({ topic: rides, messages: [{ key: 'bad-ride', value: 'this is not json' }] });
    const row = page.locator('#dead-letters tr[data-key="INVALID_JSON"]');
    await row.waitFor({ timeout: 60_000 });
    expect(await row.locator('td').nth(1).textContent()).toBe('1');
    expect(await row.locator('td.reason').textContent()).toMatch(/JSON/);
    expect(await counter(page, 'dead-letters-total')).toBe(1);

    // The consumer's /metrics is scraped: it is up, with its lag and latency plotted (uPlot draws on a canvas).
    const instance = page.locator('#instances tr[data-key="duration-consumer"]');
    await waitFor(async () => (await instance.locator('td').nth(1).textContent()) === 'up', 'the consumer up', 30_000);
    // The dead letter names the consumer that rejected it (its header), the scrape names it too (its label).
    const role = await instance.locator('td').nth(2).textContent();
    expect(role).toMatch(/^duration-consumer-/);
    expect(await row.locator('td').nth(2).textContent()).toBe(role);
    for (const chart of ['rides', 'predictions', 'lag', 'dead-letters', 'e2e'])
      await page.waitForSelector(`#chart-${chart} canvas`, { timeout: 30_000 });
    await page.locator('#latest tbody tr').first().waitFor();
    expect(await page.textContent('#monitor-status')).toBe('no monitor');
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: artifactPath('dashboard-kafka.png'), fullPage: true });
  });
});
