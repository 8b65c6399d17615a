import { retry, RetriesExhaustedError, type RetrySettings } from '@ridestream/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngestError } from './errors';
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
  /** How each request is retried (503, 429, connection errors); default `DEFAULT_REPLAY_RETRY`. */
  readonly retry?: RetrySettings;
}

/**
 * About a minute of trying per request (backoffs 0.5, 1, 2, 4, 8, then 10 s; never shorter than the producer's
 * `retry-after`): a producer restarting or a broker election passes, a producer that stays down stops the replay.
 */
export const DEFAULT_REPLAY_RETRY: RetrySettings = { retries: 10, initialMs: 500, maxMs: 10_000 };

export interface ReplayResult {
  readonly sent: number;
  readonly seconds: number;
}

/** Waits for a request's due time; an abort (shutdown) ends the wait at once. */
const waitUntilDue = (ms: number, signal?: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => {});
/** A request holds only events due within this much of its first one. */
const BATCH_WINDOW_MS = 100;

/**
 * Streams events to `POST /rides` in order, paced by `replaySchedule` (a rate, the ride's clock sped up, or both):
 * each request leaves when its first event is due, with a bounded number in flight. A 503 (broker busy), a 429 or a
 * connection error is retried through `retry` (bounded, never sooner than the producer's retry-after); when the
 * retries run out the replay stops with REPLAY_GAVE_UP naming the request and the last failure. Any other non-202
 * answer stops it at once (PRODUCER_REJECTED) with the producer's message.
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

  const attempt = async (batch: readonly ReplayEvent[]): Promise<void> => {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: JSON.stringify(batch),
        signal: o.signal,
      });
    } catch (cause) {
      if (o.signal?.aborted) throw cause;
      // fetch says only "fetch failed"; the reason (ECONNREFUSED: the producer is down) is in its cause.
      const why = (cause as { cause?: { code?: string; message?: string } }).cause;
      throw new IngestError(
        'PRODUCER_UNREACHABLE',
        `producer unreachable: ${why?.code ?? why?.message ?? (cause as Error).message}`,
        {
          retriable: true,
          cause,
          context: { url: endpoint.href },
        },
      );
    }
    const text = await res.text();
    if (res.status === 202) return;
    const busy = res.status === 503 || res.status === 429;
    throw new IngestError(
      busy ? 'PRODUCER_BUSY' : 'PRODUCER_REJECTED',
      `producer answered ${res.status}: ${text.slice(0, 500)}`,
      {
        retriable: busy,
        context: {
          url: endpoint.href,
          status: res.status,
          retryAfterMs: Number(res.headers.get('retry-after') ?? '1') * 1000,
        },
      },
    );
  };

  const post = async (start: number, end: number): Promise<void> => {
    const batch = o.events.slice(start, end);
    try {
      await retry(() => attempt(batch), {
        ...(o.retry ?? DEFAULT_REPLAY_RETRY),
        signal: o.signal,
        retryAfterMs: (err) => (err instanceof IngestError ? err.context.retryAfterMs : undefined),
      });
    } catch (err) {
      if (!(err instanceof RetriesExhaustedError)) throw err;
      throw new IngestError(
        'REPLAY_GAVE_UP',
        `replay gave up on POST ${endpoint.href} (events ${start}..${end - 1}) after ${err.errors.length} attempts: ${(err.cause as Error)?.message ?? String(err.cause)}`,
        { cause: err, context: { url: endpoint.href, events: [start, end], attempts: err.errors.length } },
      );
    }
  };

  const worker = async () => {
    while (next < batches.length && !o.signal?.aborted) {
      const [start, end] = batches[next++]!;
      const wait = t0 + due[start]! - performance.now();
      if (wait > 0) await waitUntilDue(wait, o.signal);
      if (o.signal?.aborted) break;
      await post(start, end);
      sent += end - start;
      o.onProgress?.(sent);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return { sent, seconds: (performance.now() - t0) / 1000 };
}
