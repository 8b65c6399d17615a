import type { Prediction, PredictionKind } from '@ridestream/features';

/** What the live view shows; updated by the replay and the subscribers. */
export interface LiveStats {
  sent: number;
  readonly received: Record<PredictionKind, number>;
  readonly latest: Prediction[];
  readonly startedAt: number;
  readonly rideTotal: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Renders one frame of the terminal view: plain text, redrawn in place. */
export function renderFrame(
  s: LiveStats,
  /** The transport and where it runs: `Kafka 127.0.0.1:9092`. */
  where: string,
  prev: { at: number; duration: number; tip: number },
): string {
  const secs = Math.max(0.001, (Date.now() - prev.at) / 1000);
  const rate = (k: PredictionKind) => Math.round((s.received[k] - prev[k]) / secs);
  const uptime = ((Date.now() - s.startedAt) / 1000).toFixed(0);
  const lines = [
    `ridestream  |  ${where}  |  up ${uptime}s  |  Ctrl-C stops everything`,
    '',
    `rides sent             ${fmt(s.sent).padStart(9)} / ${fmt(s.rideTotal)}`,
    `duration predictions   ${fmt(s.received.duration).padStart(9)}   ${fmt(rate('duration')).padStart(6)}/s`,
    `tip predictions        ${fmt(s.received.tip).padStart(9)}   ${fmt(rate('tip')).padStart(6)}/s`,
    '',
    'latest predictions:',
    ...s.latest.map(
      (p) =>
        `  ${p.rideId.padEnd(18)} ${p.kind.padEnd(9)} ${p.value.toFixed(2).padStart(7)} ${p.unit.padEnd(8)} ${p.model.name}@${p.model.version}`,
    ),
  ];
  return `\x1b[H\x1b[2J${lines.join('\n')}\n`;
}
