/**
 * Event-loop delay from a Node child's /metrics: prom-client's default metrics read perf_hooks'
 * monitorEventLoopDelay and reset it on every scrape, so scraping at the start of a window and again at its end
 * gives the percentiles over that window. The histogram samples every 10 ms (eventLoopMonitoringPrecision) and
 * each sample includes that interval: an idle loop reads ~10 ms. `lag*Ms` subtract it; `raw*Ms` do not.
 */
const RESOLUTION_MS = 10;

export interface LoopDelay {
  readonly rawP99Ms: number;
  readonly rawMaxMs: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
}

function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export async function scrapeLoopDelay(port: number): Promise<LoopDelay | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    const rawP99Ms = gauge(text, 'ridestream_nodejs_eventloop_lag_p99_seconds') * 1000;
    const rawMaxMs = gauge(text, 'ridestream_nodejs_eventloop_lag_max_seconds') * 1000;
    return {
      rawP99Ms,
      rawMaxMs,
      lagP99Ms: Math.max(0, rawP99Ms - RESOLUTION_MS),
      lagMaxMs: Math.max(0, rawMaxMs - RESOLUTION_MS),
    };
  } catch {
    return undefined;
  }
}

/** A metric's value summed over label sets (e.g. ridestream_rides_accepted_total). */
export async function scrapeCounter(port: number, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

export interface NodeMemory {
  readonly heapTotalMB: number;
  readonly heapUsedMB: number;
  readonly externalMB: number;
  readonly rssMB: number;
}

/** Where a Node child's memory is: V8 heap, external (Buffers, native) and resident, from its /metrics. */
export async function scrapeMemory(port: number): Promise<NodeMemory | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    const mb = (name: string) => gauge(text, name) / 2 ** 20;
    return {
      heapTotalMB: mb('ridestream_nodejs_heap_size_total_bytes'),
      heapUsedMB: mb('ridestream_nodejs_heap_size_used_bytes'),
      externalMB: mb('ridestream_nodejs_external_memory_bytes'),
      rssMB: mb('ridestream_process_resident_memory_bytes'),
    };
  } catch {
    return undefined;
  }
}
