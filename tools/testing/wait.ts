/**
 * Condition waits for integration tests: poll until something holds, and when it never does, fail with what is
 * missing rather than a bare "timed out" (which rides, on which topic, how many).
 */

/** How many missing ids a timeout message lists before it only counts the rest. */
const LISTED = 10;

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly everyMs?: number;
}

/**
 * Polls `predicate` until it is true, or fails after `timeoutMs` naming `what`. `what` may be a function: it is
 * called once, at the timeout, so the message can say how far things got (e.g. "dead letters: 2 of 6").
 *
 * @example
 * await waitFor(() => service.isReady(), 'the consumer in its group', 30_000);
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string | (() => string | Promise<string>),
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      const text = typeof what === 'string' ? what : await what();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${text}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The ids of `expected` not in `seen`, in `expected`'s order. */
function missingIds(expected: Iterable<string>, seen: Iterable<string>): string[] {
  const have = seen instanceof Set || seen instanceof Map ? seen : new Set(seen);
  return [...new Set(expected)].filter((id) => !have.has(id));
}

/** "3 of 1000 missing: a, b, c" (the first ten, then "... and N more"). */
function describeMissing(missing: readonly string[], total: number): string {
  const listed = missing.slice(0, LISTED).join(', ');
  const more = missing.length > LISTED ? `, ... and ${missing.length - LISTED} more` : '';
  return `${missing.length} of ${total} missing: ${listed}${more}`;
}

/**
 * Waits until every id of `expected` is among `seen()` (ride ids of the predictions collected so far, say). On
 * timeout the error names the missing ids (the first ten) and how many are missing, e.g. "timed out after 60000 ms
 * waiting for predictions on preds-1234: 12 of 1000 missing: r-1, r-7, ...".
 *
 * @example
 * await waitForAll(rides.map((r) => r.rideId), () => out.messages.map(rideIdOf), `predictions on ${output}`);
 */
export async function waitForAll(
  expected: readonly string[] | ReadonlySet<string>,
  seen: () => Iterable<string>,
  what: string,
  { timeoutMs = 60_000, everyMs = 100 }: WaitOptions = {},
): Promise<void> {
  const ids = [...new Set(expected)];
  let missing = ids;
  await waitFor(
    () => {
      missing = missingIds(missing, seen());
      return missing.length === 0;
    },
    () => `${what}: ${describeMissing(missing, ids.length)}`,
    timeoutMs,
    everyMs,
  );
}
