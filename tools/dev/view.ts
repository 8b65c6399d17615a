import type { Prediction, PredictionKind } from '@ridestream/features';

/** What the live view shows; updated by the replay and the subscribers. */
export interface LiveStats {
  /** Events sent (three per ride). */
  sent: number;
  readonly received: Record<PredictionKind, number>;
  /** The latest predictions on the ride's clock, oldest first (`rememberPrediction` keeps it so). */
  readonly latest: Prediction[];
  readonly startedAt: number;
  readonly rideTotal: number;
  readonly eventTotal: number;
}

/** How many predictions the view lists. */
export const LATEST_SHOWN = 8;

/**
 * Keeps the `LATEST_SHOWN` latest predictions by event time, oldest first: the two prediction streams arrive
 * independently, so the list is ordered by when the ride event happened, not by arrival.
 */
export function rememberPrediction(latest: Prediction[], p: Prediction): void {
  const at = Date.parse(p.eventTime);
  let i = latest.length;
  while (i > 0 && Date.parse(latest[i - 1]!.eventTime) > at) i--;
  latest.splice(i, 0, p);
  if (latest.length > LATEST_SHOWN) latest.splice(0, latest.length - LATEST_SHOWN);
}

const fmt = (n: number) => n.toLocaleString('en-US');
/** The wall-clock part of an offset date-time, as the rider saw it: `2024-01-15T08:30:00-05:00` -> `01-15 08:30:00`. */
const rideClock = (iso: string) => `${iso.slice(5, 10)} ${iso.slice(11, 19)}`;
const MOMENT: Record<string, string> = { 'ride.started': 'pickup', 'ride.completed': 'drop-off' };

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
  const latest = s.latest.at(-1);
  const lines = [
    `ridestream  |  ${where}  |  up ${uptime}s  |  Ctrl-C stops everything`,
    '',
    `events sent            ${fmt(s.sent).padStart(9)} / ${fmt(s.eventTotal)}  (${fmt(s.rideTotal)} rides)`,
    `duration predictions   ${fmt(s.received.duration).padStart(9)}   ${fmt(rate('duration')).padStart(6)}/s   at pickup`,
    `tip predictions        ${fmt(s.received.tip).padStart(9)}   ${fmt(rate('tip')).padStart(6)}/s   at drop-off`,
    `ride clock             ${latest ? rideClock(latest.eventTime) : '-'}`,
    '',
    'latest predictions, in event order:',
    ...s.latest.map(
      (p) =>
        `  ${rideClock(p.eventTime)}  ${(MOMENT[p.event.type] ?? p.event.type).padEnd(8)} ${p.rideId.padEnd(18)} ${p.kind.padEnd(9)} ${p.value.toFixed(2).padStart(7)} ${p.unit.padEnd(8)} ${p.model.name}@${p.model.version}`,
    ),
  ];
  return `\x1b[H\x1b[2J${lines.join('\n')}\n`;
}
