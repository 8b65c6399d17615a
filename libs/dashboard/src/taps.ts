/** What the dashboard's stream readers hand over, the same on both transports. */
import type { Lifecycle } from '@ridestream/runtime';

/** Which of the dashboard's streams a record came from. */
export type TapRole = 'rides' | 'predictions' | 'deadLetters' | 'metrics';

export interface TapRecord {
  readonly value: Uint8Array;
  /** Kafka headers as strings; empty on Kinesis (no headers there). */
  readonly headers: Readonly<Record<string, string>>;
}

/** The topic (Kafka) or stream (Kinesis) names the dashboard reads. */
export interface TapStreams {
  readonly rides: string;
  readonly predictions: readonly string[];
  readonly deadLetters: string;
  /** The model monitor's closed windows (`model-metrics`); none = no monitor panels. */
  readonly metrics?: string;
}

export interface TapOptions {
  readonly streams: TapStreams;
  /** Read from the oldest retained record instead of from now (tests on fresh topics). */
  readonly fromBeginning: boolean;
  readonly onRecords: (role: TapRole, records: readonly TapRecord[]) => void;
  /** The reader cannot go on (a stream is gone, credentials refused). */
  readonly onError: (err: unknown) => void;
}

export type StreamTap = Lifecycle;

/** Stream name -> role, for readers that see records by stream name. */
export function roleByStream(streams: TapStreams): ReadonlyMap<string, TapRole> {
  return new Map<string, TapRole>([
    [streams.rides, 'rides'],
    ...streams.predictions.map((s) => [s, 'predictions'] as const),
    [streams.deadLetters, 'deadLetters'],
    ...(streams.metrics ? [[streams.metrics, 'metrics'] as const] : []),
  ]);
}
