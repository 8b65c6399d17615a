import type { Logger } from '@ridestream/runtime';
import type { RecordOutcome } from './outcomes';
import type { SourceRecord } from './records';
import type { ModelIdentity, Scorer } from './scorer';

export interface SwappableScorerOptions {
  /** The scorer serving at start (already loaded and checked). Owned from here on. */
  readonly initial: Scorer;
  /** The version that should serve now, e.g. what `models:/<name>@<alias>` points at. Asked every `intervalMs`. */
  readonly wantedVersion: () => Promise<string>;
  /** Loads and checks one version beside the serving one (a new worker thread for it). Rejects if it fails a check. */
  readonly load: (version: string) => Promise<Scorer>;
  readonly intervalMs: number;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** For metrics: a version now serves, a version was refused, the registry could not be asked. */
  readonly onSwap?: (from: ModelIdentity, to: ModelIdentity) => void;
  readonly onRefused?: (version: string, err: unknown) => void;
  readonly onPollFailed?: (err: unknown) => void;
}

export interface SwappableScorer extends Scorer {
  /** Asks once now (the poller does this every interval); resolves when any swap it started is done. */
  poll(): Promise<void>;
}

/**
 * A scorer that follows a registry alias without a restart. The poller asks which version should serve; a new one
 * is loaded and checked beside the serving one, then swapped in between chunks: each `score` call runs whole on the
 * scorer that was current when it started, so no chunk is scored by two versions and every prediction carries the
 * version that scored it. The old scorer is released once its chunks in flight are done. A version that fails to
 * load or check is refused (logged, `onRefused`) and the serving one keeps serving; it is tried again only after the
 * alias has moved elsewhere. Moving the alias back is a rollback like any other swap.
 *
 * @example
 * const scorer = createSwappableScorer({ initial, wantedVersion: () => store.aliasVersion(uri),
 *   load: (v) => loadScorer({ kind, model: `models:/ride-duration/${v}` }), intervalMs: 10_000, logger });
 */
export function createSwappableScorer(o: SwappableScorerOptions): SwappableScorer {
  let current = o.initial;
  const inFlight = new Map<Scorer, number>();
  const retired = new Set<Scorer>();
  let refused: string | undefined;
  let polling: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let disposed: Promise<void> | undefined;

  let fail: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // observed by the service
  // Only the serving scorer's death matters: a retired one is being released on purpose.
  const watch = (s: Scorer) => s.failed?.catch((err: unknown) => s === current && fail(err));
  watch(current);

  const release = (s: Scorer) => {
    retired.delete(s);
    void s.dispose().catch((err: unknown) => o.logger.warn({ err }, 'releasing a retired model failed'));
  };

  async function swapTo(version: string): Promise<void> {
    let next: Scorer;
    try {
      next = await o.load(version);
    } catch (err) {
      refused = version;
      o.logger.error(
        { err, version, serving: current.model.version },
        'new model version refused; the old one keeps serving',
      );
      o.onRefused?.(version, err);
      return;
    }
    if (disposed) {
      await next.dispose();
      return;
    }
    const old = current;
    current = next;
    watch(next);
    o.logger.info({ from: old.model.version, to: next.model.version, model: next.model.name }, 'model version swapped');
    o.onSwap?.(old.model, next.model);
    if ((inFlight.get(old) ?? 0) === 0) release(old);
    else retired.add(old);
  }

  async function pollOnce(): Promise<void> {
    let wanted: string;
    try {
      wanted = await o.wantedVersion();
    } catch (err) {
      o.logger.warn(
        { err, serving: current.model.version },
        'could not ask the registry; the serving model keeps serving',
      );
      o.onPollFailed?.(err);
      return;
    }
    if (wanted === refused) return;
    // The alias moved away from the refused version: if it comes back, that version gets a new chance.
    refused = undefined;
    if (wanted !== current.model.version) await swapTo(wanted);
  }

  const poll = () => (polling ??= pollOnce().finally(() => (polling = undefined)));
  const schedule = () => {
    timer = setTimeout(() => {
      void poll().finally(() => {
        if (!disposed) schedule();
      });
    }, o.intervalMs);
    // The poller alone must not keep a stopping process alive.
    timer.unref();
  };
  schedule();

  return {
    get kind() {
      return current.kind;
    },
    get model() {
      return current.model;
    },
    get lookahead() {
      return current.lookahead;
    },
    failed,
    poll,
    async score(records: readonly SourceRecord[]): Promise<RecordOutcome[]> {
      const s = current;
      inFlight.set(s, (inFlight.get(s) ?? 0) + 1);
      try {
        return await s.score(records);
      } finally {
        const left = inFlight.get(s)! - 1;
        if (left > 0) inFlight.set(s, left);
        else {
          inFlight.delete(s);
          if (retired.has(s)) release(s);
        }
      }
    },
    dispose() {
      disposed ??= (async () => {
        clearTimeout(timer);
        await polling;
        await Promise.all([current, ...retired].map((s) => s.dispose()));
      })();
      return disposed;
    },
  };
}
