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
  /**
   * Runs one send on the producer in hand, replacing it first if the send before failed. Sends run one at a time:
   * a send queued in the client behind a failing one would be numbered after the rollback, on the old producer.
   */
  send<T>(run: (producer: P) => Promise<T>): Promise<T>;
  /** How many times a failed send made it replace its producer. */
  replacements(): number;
  /** Starts the first producer. */
  start(): Promise<void>;
  /** Closes the producer in hand once the sends before have settled. Memoised. */
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
  /** The last send queued: each send starts when the one before has settled. */
  let tail: Promise<unknown> = Promise.resolve();
  let replaced = 0;
  let stopping: Promise<void> | undefined;

  // A replacement that fails (the broker still away) leaves no producer in hand: the next send tries again.
  const replace = async (): Promise<void> => {
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
  };

  return {
    start: () => o.open(current!),
    send(run) {
      const turn = tail.then(async () => {
        if (suspect || current === undefined) await replace();
        try {
          return await run(current!);
        } catch (err) {
          suspect = true;
          throw err;
        }
      });
      tail = turn.catch(() => undefined);
      return turn;
    },
    replacements: () => replaced,
    stop: () =>
      (stopping ??= (async () => {
        await tail;
        if (current !== undefined) await o.close(current);
      })()),
  };
}
