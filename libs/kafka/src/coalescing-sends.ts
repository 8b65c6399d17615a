import { takeUpTo } from '@ridestream/runtime';

/**
 * Sends that arrive while one is in flight wait for it, then leave together in one request.
 *
 * Why: each publisher runs its sends one at a time (`renewingProducer`), and a consumer publishes one chunk per
 * partition, up to PARTITIONS_CONCURRENTLY at once. Without this, the chunks of one fetch queue behind each other,
 * one broker round trip each: at a light load (a few records per chunk) the third partition's predictions waited for
 * two round trips before their own. Merged, a fetch's chunks cost about one. The first send of an idle publisher
 * leaves at once: nothing lingers.
 *
 * Each caller's promise settles with the request its messages went in: resolved once that request is acknowledged,
 * rejected with its error (every caller in it then retries its own chunk, which at-least-once allows).
 */
/**
 * Merged sends stop growing here (a single larger call still goes alone): three full chunks of predictions, ~1 MB
 * of ride-sized records spread over the output's partitions, within the broker's 1 MiB per partition batch.
 */
export const MAX_RECORDS_PER_REQUEST = 3000;

export type SendMany<M> = (messages: readonly M[]) => Promise<void>;

interface Waiting<M> {
  readonly messages: readonly M[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * `write` sends one request; the result sends every call's messages, merging the calls that wait. A request holds at
 * most `maxRecords` messages unless a single call alone has more (a call is never split).
 */
export function coalescingSends<M>(write: SendMany<M>, maxRecords: number): SendMany<M> {
  const waiting: Waiting<M>[] = [];
  let busy = false;

  const drain = async (): Promise<void> => {
    busy = true;
    while (waiting.length > 0) {
      const group = takeUpTo(waiting, (w) => w.messages.length, maxRecords);
      const messages = group.length === 1 ? group[0]!.messages : group.flatMap((w) => w.messages);
      try {
        await write(messages);
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    busy = false;
  };

  return (messages) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ messages, resolve, reject });
      if (!busy) void drain();
    });
}
