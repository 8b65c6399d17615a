/** Scrapes each service's /metrics on an interval, like a tiny Prometheus, and hands the samples over. */
import { once, type Lifecycle } from '@ridestream/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScrapeResult, ScrapeTarget } from './aggregator';
import { parsePromText } from './prom-text';

export interface ScraperOptions {
  readonly targets: readonly ScrapeTarget[];
  readonly intervalMs: number;
  /** Per request; a hung service counts as down rather than holding the others back. */
  readonly timeoutMs: number;
  readonly onScrape: (target: ScrapeTarget, result: ScrapeResult) => void;
}

/** One scrape of one target: its samples, or why it failed (never throws). */
export async function scrapeOnce(target: ScrapeTarget, timeoutMs: number): Promise<ScrapeResult> {
  try {
    const res = await fetch(target.url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { error: `HTTP ${res.status}` };
    return { samples: parsePromText(await res.text()) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/**
 * @example
 * const scraper = startScraper({ targets, intervalMs: 2000, timeoutMs: 1500, onScrape: agg.scraped });
 * await scraper.start();
 */
export function startScraper(o: ScraperOptions): Lifecycle {
  const abort = new AbortController();
  let loop: Promise<void> | undefined;
  const scrapeAll = () =>
    Promise.all(o.targets.map(async (t) => o.onScrape(t, await scrapeOnce(t, o.timeoutMs)))).then(() => undefined);
  return {
    start: once(async () => {
      await scrapeAll();
      loop = (async () => {
        while (!abort.signal.aborted) {
          await sleep(o.intervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
          if (!abort.signal.aborted) await scrapeAll();
        }
      })();
    }),
    stop: once(async () => {
      abort.abort();
      await loop;
    }),
  };
}
