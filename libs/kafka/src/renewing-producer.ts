/**
 * Why an idempotent producer is replaced after a failed send, on both clients. kafkajs 2.2.4 and
 * @platformatic/kafka 1.35.0 each number a request's batches before sending, and when the request fails they roll
 * the numbers back for every partition in it, also for those the broker had already written (a partial failure:
 * NOT_LEADER on some partitions while a restarted broker elects leaders, or one topic refusing a record). Their next
 * batch to such a partition reuses numbers the broker has seen: refused with OUT_OF_ORDER_SEQUENCE_NUMBER (kafkajs
 * then refuses every later send, so the producer answered 503 for minutes after a broker restart), or, when it holds
 * as many records as the written one, acknowledged as a duplicate and dropped. Both were seen on a real broker
 * (`tests/integration/publisher.int.test.ts`). A fresh producer has a new producer id and numbers from 0, which is
 * what the Java client gets by bumping its epoch (KIP-360). The records of the failed send may then be written twice
 * when the caller sends them again, which at-least-once allows.
 */
export interface RenewingProducer<P> {
  /** Runs one send on the producer in hand, replacing it first if the send before failed. */
  send<T>(run: (producer: P) => Promise<T>): Promise<T>;
  /** How many times a failed send made it replace its producer. */
  replacements(): number;
  /** Starts the first producer. */
  start(): Promise<void>;
  /** Closes the producer in hand (after a replacement under way). Memoised. */
  stop(): Promise<void>;
}

export interface RenewingProducerOptions<P> {
  readonly make: () => P;
  /** Connects a producer made by `make` (and fetches its producer id). */
  readonly open: (producer: P) => Promise<void>;
  readonly close: (producer: P) => Promise<void>;
  /** Told after each replacement, with the count so far: a log line. */
  readonly onReplaced?: (replacements: number) => void;
}

export function renewingProducer<P>(o: RenewingProducerOptions<P>): RenewingProducer<P> {
  /** The producer in hand; undefined once closed for a replacement that could not connect yet. */
  let current: P | undefined = o.make();
  /** Set when a send on `current` failed: the next send replaces it first. */
  let suspect = false;
  let replacing: Promise<void> | undefined;
  let replaced = 0;
  let stopping: Promise<void> | undefined;

  // One replacement at a time; one that fails (the broker still away) is tried again by the next send.
  const replace = (): Promise<void> =>
    (replacing ??= (async () => {
      if (current !== undefined) {
        const old = current;
        current = undefined;
        await o.close(old).catch(() => undefined);
      }
      const fresh = o.make();
      try {
        await o.open(fresh);
      } catch (err) {
        await o.close(fresh).catch(() => undefined);
        throw err;
      }
      current = fresh;
      suspect = false;
      replaced++;
      o.onReplaced?.(replaced);
    })().finally(() => {
      replacing = undefined;
    }));

  return {
    start: () => o.open(current!),
    async send(run) {
      let used: P | undefined;
      try {
        if (suspect || current === undefined) await replace();
        used = current!;
        return await run(used);
      } catch (err) {
        // Only the producer this send used: a send that failed on one already replaced says nothing of the new one.
        if (used === undefined || used === current) suspect = true;
        throw err;
      }
    },
    replacements: () => replaced,
    stop: () =>
      (stopping ??= (async () => {
        await replacing?.catch(() => undefined);
        if (current !== undefined) await o.close(current);
      })()),
  };
}
