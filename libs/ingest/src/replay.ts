import { DEFAULT_MAX_GAP_MS, replayBatches, replaySchedule } from './replay-clock';

/** What the replay needs of an event: its ride time, for pacing. It posts the whole object as JSON. */
export interface ReplayEvent {
  readonly occurredAt: string;
}

export interface ReplayOptions {
  /** In the order they are to be published (a ride's events in ride-time order: `rideTimeline` in libs/tlc). */
  readonly events: readonly ReplayEvent[];
  /** The producer's base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** Events per second; 0 = as fast as the producer accepts. */
  readonly ratePerSec: number;
  /** Ride time per wall time (60 = one hour of rides per minute); 0 (the default) = ignore the ride's clock. */
  readonly speed?: number;
  /** The longest ride-time silence waited through (default ten minutes of ride time). */
  readonly maxGapMs?: number;
  readonly batchSize: number;
  /**
   * Requests in flight at once. 1 keeps the publish order exactly the send order; more trades it for throughput,
   * and a ride's events may then reach the topic out of order (the consumers are stateless and score them anyway).
   */
  readonly concurrency: number;
  readonly onProgress?: (sent: number) => void;
  readonly signal?: AbortSignal;
  /** Extra request headers (an API key, say). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ReplayResult {
  readonly sent: number;
  readonly seconds: number;
}

class ReplayError extends Error {
  override readonly name = 'ReplayError';
  constructor(
    message: string,
    readonly status: number,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A request holds only events due within this much of its first one. */
const BATCH_WINDOW_MS = 100;

/**
 * Streams events to `POST /rides` in order, paced by `replaySchedule` (a rate, the ride's clock sped up, or both):
 * each request leaves when its first event is due, with a bounded number in flight. A 503 (broker busy) or 429 is
 * retried after its retry-after; any other non-202 answer stops the replay with the producer's message.
 */
export async function replayRides(o: ReplayOptions): Promise<ReplayResult> {
  const t0 = performance.now();
  const due = replaySchedule(
    o.events.map((e) => Date.parse(e.occurredAt)),
    { ratePerSec: o.ratePerSec, speed: o.speed ?? 0, maxGapMs: o.maxGapMs ?? DEFAULT_MAX_GAP_MS },
  );
  const batches = replayBatches(due, Math.max(1, o.batchSize), BATCH_WINDOW_MS);
  let next = 0;
  let sent = 0;
  const endpoint = new URL('/rides', o.url);

  const post = async (batch: readonly ReplayEvent[]): Promise<void> => {
    for (;;) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: JSON.stringify(batch),
        signal: o.signal,
      });
      const text = await res.text();
      if (res.status === 202) return;
      if (res.status === 503 || res.status === 429) {
        await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
        continue;
      }
      throw new ReplayError(`producer answered ${res.status}: ${text.slice(0, 500)}`, res.status, false);
    }
  };

  const worker = async () => {
    while (next < batches.length && !o.signal?.aborted) {
      const [start, end] = batches[next++]!;
      const wait = t0 + due[start]! - performance.now();
      if (wait > 0) await sleep(wait);
      await post(o.events.slice(start, end));
      sent += end - start;
      o.onProgress?.(sent);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return { sent, seconds: (performance.now() - t0) / 1000 };
}
