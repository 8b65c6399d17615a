import { once, takeUpTo, type Logger } from '@ridestream/runtime';
import type { OutgoingMessage, RidesPublisher } from '@ridestream/stream-core';
import { IngestError } from './errors';

export interface CoalescingOptions {
  /** Records per publish call at most; a request larger than this is sent alone, never split. */
  readonly maxBatchRecords: number;
  /**
   * How long the first request of a batch waits for company while a publish slot is free (0: only the requests that
   * arrive in the same turn of the event loop). While every slot is busy, requests wait for a slot anyway.
   */
  readonly lingerMs: number;
  /** Publish calls in flight at once; the next batch gathers while they are. */
  readonly maxInFlight: number;
  /** Records waiting for a slot at most; a request that would go beyond is refused at once (PUBLISH_QUEUE_FULL). */
  readonly maxQueuedRecords: number;
  /** `stop()` gives waiting and in-flight batches this long, then fails the requests still unanswered. */
  readonly stopTimeoutMs: number;
}

export interface CoalescingPublisherOptions extends CoalescingOptions {
  readonly logger: Pick<Logger, 'warn'>;
  /** Called once per publish call when it settles, for metrics. */
  readonly onBatch?: (batch: BatchReport) => void;
}

/** One publish call: its size, how long the transport took to acknowledge it (or fail), and whether it did. */
export interface BatchReport {
  readonly records: number;
  readonly requests: number;
  readonly seconds: number;
  readonly ok: boolean;
}

/** The producer's publisher with requests gathered into batches; `queuedRecords()` is what waits for a slot. */
export interface CoalescingPublisher extends RidesPublisher {
  queuedRecords(): number;
}

interface Waiting {
  readonly messages: readonly OutgoingMessage[];
  readonly resolve: () => void;
  readonly reject: (err: IngestError) => void;
}

interface Batch {
  readonly requests: readonly Waiting[];
  readonly records: number;
}

function checkOptions(o: CoalescingOptions): void {
  for (const key of ['maxBatchRecords', 'maxInFlight', 'maxQueuedRecords'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1)
      throw new TypeError(`${key} must be a positive integer, got ${o[key]}`);
  }
  for (const key of ['lingerMs', 'stopTimeoutMs'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 0) throw new TypeError(`${key} must be >= 0, got ${o[key]}`);
  }
}

/**
 * Gathers concurrent requests' rides into one `inner.publish` call, so that N requests cost one broker round trip
 * instead of N (kafkajs's idempotent producer sends one produce request per broker at a time, Kinesis one
 * PutRecords call per batch). A batch leaves when it holds `maxBatchRecords`, `lingerMs` after its first request,
 * or as soon as a slot frees while requests wait; at most `maxInFlight` batches are in flight.
 *
 * Each request's promise settles with its own batch: it resolves only once the transport acknowledged that batch
 * (Kafka acks=all, Kinesis every record accepted), and rejects with a retriable PUBLISH_FAILED when that batch
 * failed, whoever else was in it; other batches are untouched. Nothing is resolved that was not acknowledged.
 * Backpressure: beyond `maxQueuedRecords` waiting, `publish` rejects at once with PUBLISH_QUEUE_FULL (the route's
 * 503 with retry-after), instead of letting a slow broker grow the heap. Transport-neutral: it only sees
 * `RidesPublisher`.
 *
 * @example
 * const publisher = createCoalescingPublisher(createKafkaRidesPublisher({ ... }), { maxBatchRecords: 1000,
 *   lingerMs: 0, maxInFlight: 1, maxQueuedRecords: 20_000, stopTimeoutMs: 10_000, logger });
 */
export function createCoalescingPublisher(inner: RidesPublisher, o: CoalescingPublisherOptions): CoalescingPublisher {
  checkOptions(o);
  let queue: Waiting[] = [];
  let queued = 0;
  const inFlight = new Set<Batch>();
  let cancelTimer: (() => void) | undefined;
  let stopping = false;
  let onIdle: (() => void) | undefined;

  const takeBatch = (): Batch => {
    const requests = takeUpTo(queue, (r) => r.messages.length, o.maxBatchRecords);
    const records = requests.reduce((n, r) => n + r.messages.length, 0);
    queued -= records;
    return { requests, records };
  };

  const settle = (batch: Batch, err?: IngestError): void => {
    // A batch the stop deadline already failed stays failed, whatever the transport says later.
    if (!inFlight.delete(batch)) return;
    for (const r of batch.requests) {
      if (err) r.reject(err);
      else r.resolve();
    }
    if (queue.length > 0) dispatch();
    else if (inFlight.size === 0) onIdle?.();
  };

  const send = (batch: Batch): void => {
    inFlight.add(batch);
    const t0 = performance.now();
    // Only while the batch is ours: one the stop deadline failed is not reported again.
    const report = (ok: boolean) =>
      inFlight.has(batch) &&
      o.onBatch?.({
        records: batch.records,
        requests: batch.requests.length,
        seconds: (performance.now() - t0) / 1000,
        ok,
      });
    const messages =
      batch.requests.length === 1 ? batch.requests[0]!.messages : batch.requests.flatMap((r) => r.messages);
    // A publish that throws synchronously fails its batch like one that rejects.
    new Promise<void>((resolve) => resolve(inner.publish(messages))).then(
      () => {
        report(true);
        settle(batch);
      },
      (cause: unknown) => {
        report(false);
        o.logger.warn({ err: cause, rides: batch.records, requests: batch.requests.length }, 'batch publish failed');
        settle(
          batch,
          new IngestError(
            'PUBLISH_FAILED',
            `not acknowledged (a batch of ${batch.records} rides from ${batch.requests.length} requests failed): ` +
              `${(cause as Error)?.message ?? String(cause)}`,
            { retriable: true, cause },
          ),
        );
      },
    );
  };

  function dispatch(): void {
    cancelTimer?.();
    cancelTimer = undefined;
    while (inFlight.size < o.maxInFlight && queue.length > 0) send(takeBatch());
  }

  const schedule = (): void => {
    // Every slot busy: a settling batch dispatches what waits.
    if (inFlight.size >= o.maxInFlight) return;
    // A full batch goes at once, even while a linger runs for the first request.
    if (queued >= o.maxBatchRecords) return dispatch();
    if (cancelTimer) return;
    if (o.lingerMs === 0) {
      const t = setImmediate(dispatch);
      cancelTimer = () => clearImmediate(t);
    } else {
      const t = setTimeout(dispatch, o.lingerMs);
      cancelTimer = () => clearTimeout(t);
    }
  };

  const failAll = (): void => {
    const waiting = queue;
    queue = [];
    queued = 0;
    const stopped = new IngestError('PUBLISHER_STOPPED', `publisher stopped before these rides were sent`, {
      retriable: true,
    });
    for (const r of waiting) r.reject(stopped);
    const late = new IngestError(
      'PUBLISH_FAILED',
      `not acknowledged within the ${o.stopTimeoutMs} ms the publisher had to stop`,
      { retriable: true },
    );
    for (const batch of [...inFlight]) {
      inFlight.delete(batch);
      for (const r of batch.requests) r.reject(late);
    }
  };

  return {
    transport: inner.transport,
    destination: inner.destination,
    prepare: inner.prepare ? () => inner.prepare!() : undefined,
    start: () => inner.start(),
    queuedRecords: () => queued,
    publish(messages) {
      if (stopping) {
        return Promise.reject(new IngestError('PUBLISHER_STOPPED', 'publisher is stopping', { retriable: true }));
      }
      if (messages.length === 0) return Promise.resolve();
      // An empty queue takes any request, so one of up to MAX_RIDES_PER_REQUEST always fits.
      if (queued > 0 && queued + messages.length > o.maxQueuedRecords) {
        return Promise.reject(
          new IngestError('PUBLISH_QUEUE_FULL', `${queued} rides already wait for the broker; retry later`, {
            retriable: true,
          }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ messages, resolve, reject });
        queued += messages.length;
        schedule();
      });
    },
    /**
     * Refuses new requests, sends what waits (as slots free), waits for every batch up to `stopTimeoutMs`, fails the
     * requests still unanswered then, and stops the inner publisher. Memoised.
     */
    stop: once(async () => {
      stopping = true;
      dispatch();
      if (queue.length > 0 || inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          onIdle = resolve;
          timer = setTimeout(resolve, o.stopTimeoutMs);
        });
        clearTimeout(timer);
        failAll();
      }
      await inner.stop();
    }),
  };
}
