import type { Logger } from '@ridestream/runtime';
import type { OutgoingMessage, SourceRecord } from './records';
import type { Scorer } from './scorer';

interface OutcomeCounter {
  inc(labels: { outcome: 'published' | 'failed' | 'skipped' }, value?: number): void;
}

export interface ShadowOptions {
  /** The challenger. Owned by the shadow: `drain()` then `dispose()` release it. */
  readonly scorer: Scorer;
  /** Where its predictions go (`<output>.shadow` by default in the apps). */
  readonly outputStream: string;
  /** Best effort: one attempt per chunk, no backoff (the main output's retries are the ones that matter). */
  readonly publish: (messages: readonly OutgoingMessage[]) => Promise<void>;
  readonly logger: Pick<Logger, 'warn'>;
  /** Records by outcome: published, failed (scoring or publishing), skipped (too many chunks in flight). */
  readonly records: OutcomeCounter;
  /**
   * Chunks the challenger may have in flight. Past it a chunk is not shadowed: a slow or stuck challenger costs
   * coverage of the shadow stream, never the main stream's throughput or memory.
   */
  readonly maxInFlight?: number;
}

/**
 * Shadow scoring: the same chunks the champion scores, scored by a challenger and published to its own stream. It
 * never touches the main output: `offer` returns at once, the main chunk is published and committed without
 * waiting for it, and its failures are logged and counted, never dead-lettered (a challenger's bad day is not the
 * ride's fault). At-least-once holds for the main stream only: a crash may lose the shadow predictions of the chunks
 * in flight, which the monitor sees as lower coverage for the challenger.
 */
export function createShadow(o: ShadowOptions) {
  const maxInFlight = o.maxInFlight ?? 4;
  const inFlight = new Set<Promise<void>>();

  async function shadowChunk(records: readonly SourceRecord[]): Promise<void> {
    try {
      const outcomes = await o.scorer.score(records);
      const messages: OutgoingMessage[] = [];
      for (const out of outcomes)
        if (out.status === 'scored') messages.push({ stream: o.outputStream, key: out.rideId, value: out.payload });
      if (messages.length) await o.publish(messages);
      o.records.inc({ outcome: 'published' }, messages.length);
    } catch (err) {
      o.records.inc({ outcome: 'failed' }, records.length);
      o.logger.warn(
        { err, records: records.length, output: o.outputStream },
        'shadow scoring failed; main output unaffected',
      );
    }
  }

  return {
    get scorer() {
      return o.scorer;
    },
    /** Hands a chunk to the challenger without waiting for it. */
    offer(records: readonly SourceRecord[]): void {
      if (records.length === 0) return;
      if (inFlight.size >= maxInFlight) {
        o.records.inc({ outcome: 'skipped' }, records.length);
        return;
      }
      const p = shadowChunk(records).finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    /** Waits for the chunks in flight (before the sink is closed at shutdown). */
    async drain(): Promise<void> {
      await Promise.all([...inFlight]);
    },
    dispose: () => o.scorer.dispose(),
  };
}
export type Shadow = ReturnType<typeof createShadow>;
