/**
 * The monitor panels' state: the model monitor's closed windows (the `model-metrics` stream) folded into the
 * latest window per model version, an RMSE history per window and the latest drift per kind. Pure, like the
 * aggregator that owns it.
 */
import type { SeenMonitorRecord } from './decode';
import type { AccuracyRow, DriftRow, MonitorStatus } from './frame';

/**
 * @param source the stream name the records come from, shown on the page.
 * @param windowsKept how many windows the RMSE history keeps (the oldest go first).
 *
 * @example
 * const panel = createMonitorPanel('model-metrics', 48);
 * panel.record(readMonitorRecord(bytes)!); const status = panel.status();
 */
export function createMonitorPanel(source: string, windowsKept: number) {
  let windows = 0;
  const accuracy = new Map<string, AccuracyRow>();
  const rmse = new Map<number, Record<string, number>>();
  const drift = new Map<string, readonly DriftRow[]>();

  return {
    record(r: SeenMonitorRecord): void {
      windows++;
      if (r.type === 'drift') {
        const before = drift.get(r.kind)?.[0];
        // A window re-published after a restart, or one older than the shown one, does not replace it.
        if (before && before.windowStart > r.windowStart) return;
        drift.set(
          r.kind,
          r.columns.map((c) => ({ kind: r.kind, windowStart: r.windowStart, ...c })),
        );
        return;
      }
      const model = `${r.model.name}@${r.model.version}`;
      const series = `${r.kind} ${model} ${r.role}`;
      const before = accuracy.get(series);
      if (!before || before.windowStart <= r.windowStart) {
        const { type: _type, model: _model, ...rest } = r;
        accuracy.set(series, { ...rest, model });
      }
      if (r.rmse === null) return;
      const t = Date.parse(r.windowStart) / 1000;
      rmse.set(t, { ...rmse.get(t), [series]: r.rmse });
      if (rmse.size > windowsKept) rmse.delete(Math.min(...rmse.keys()));
    },
    status(): MonitorStatus {
      return {
        source,
        windows,
        accuracy: [...accuracy.values()],
        rmseByWindow: [...rmse].sort(([a], [b]) => a - b).map(([t, values]) => ({ t, values })),
        drift: [...drift.values()].flat(),
      };
    },
  };
}
export type MonitorPanel = ReturnType<typeof createMonitorPanel>;
