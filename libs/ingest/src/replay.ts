import type { RideEvent } from '@ridestream/features';

export interface ReplayOptions {
  readonly rides: readonly RideEvent[];
  /** The producer's base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** Rides per second; 0 = as fast as the producer accepts. */
  readonly ratePerSec: number;
  readonly batchSize: number;
  /** Requests in flight at once. */
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

export class ReplayError extends Error {
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

/**
 * Streams rides to `POST /rides` in batches, paced to `ratePerSec` (batch i leaves at t0 + i x batch / rate),
 * with a bounded number of requests in flight. A 503 (broker busy) is retried after its retry-after; any other
 * non-202 answer stops the replay with the producer's message.
 */
export async function replayRides(o: ReplayOptions): Promise<ReplayResult> {
  const t0 = performance.now();
  const batches: RideEvent[][] = [];
  for (let i = 0; i < o.rides.length; i += o.batchSize) batches.push(o.rides.slice(i, i + o.batchSize) as RideEvent[]);
  let next = 0;
  let sent = 0;
  const endpoint = new URL('/rides', o.url);

  const post = async (batch: RideEvent[]): Promise<void> => {
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
      const i = next++;
      const batch = batches[i]!;
      if (o.ratePerSec > 0) {
        const due = t0 + ((i * o.batchSize) / o.ratePerSec) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      await post(batch);
      sent += batch.length;
      o.onProgress?.(sent);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return { sent, seconds: (performance.now() - t0) / 1000 };
}
