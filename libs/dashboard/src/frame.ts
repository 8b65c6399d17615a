/**
 * What the dashboard server sends to the page over server-sent events: one `Frame` a tick, and a `Snapshot` (the
 * recent frames) when a page connects. Types only: the page (`libs/dashboard/web`) checks against them too.
 * Series names are keys of plain records, so that a new consumer, model version, partition or reason shows up as
 * a new line without a change here.
 */

/** One scraped /metrics endpoint, as the page's instance table shows it. */
export interface InstanceStatus {
  readonly name: string;
  readonly url: string;
  readonly up: boolean;
  /** Why the last scrape failed. */
  readonly error?: string;
  /** The `consumer` label of its samples (consumers), or its `service` label (producer, prediction-api). */
  readonly role?: string;
  /**
   * The model version it says it serves, from a `ridestream_model_info{model,version}` sample. Absent when the
   * service does not export one (today none does: then the page shows the versions seen on its predictions).
   */
  readonly modelVersion?: string;
}

export interface ReasonStatus {
  readonly count: number;
  /** The latest dead letter's reason text (clipped by the consumer). */
  readonly reason: string;
  /** Every consumer that dead-lettered a record for this reason, and the model versions they ran. */
  readonly consumers: readonly string[];
  readonly modelVersions: readonly string[];
}

export interface PredictionRow {
  readonly kind: string;
  readonly model: string;
  readonly rideId: string;
  readonly eventTime: string;
  readonly scoredAt: string;
  readonly value: number;
}

/** The latest closed window of one model version (champion or shadow), as the monitor published it. */
export interface AccuracyRow {
  readonly kind: string;
  /** `ride-duration@3`. */
  readonly model: string;
  /** `champion` or `shadow`. */
  readonly role: string;
  /** ISO times of the window on the scored events' clock. */
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly predictions: number;
  readonly matched: number;
  /** Null when nothing was predicted or matched in the window. */
  readonly coverage: number | null;
  readonly rmse: number | null;
  readonly mae: number | null;
}

/** One column of a kind's latest drift window against the training profile. */
export interface DriftRow {
  readonly kind: string;
  readonly windowStart: string;
  readonly column: string;
  readonly sample: number;
  /** Jensen-Shannon distance (drift at 0.1) and PSI; null without present values. */
  readonly jensenShannon: number | null;
  readonly psi: number | null;
  readonly missing: number;
  /** Null: too few values to judge. */
  readonly drifted: boolean | null;
}

/**
 * What the model monitor published on its metrics stream (`model-metrics`): null when the dashboard does not read
 * one; present but empty until the first window closes (a window closes hours of event time after it starts).
 */
export interface MonitorStatus {
  /** The stream it came from. */
  readonly source: string;
  /** Closed windows read so far. */
  readonly windows: number;
  /** The latest window of every `<kind> <model>@<version> <role>`, in the order they first appeared. */
  readonly accuracy: readonly AccuracyRow[];
  /**
   * RMSE per closed window, oldest first (the last few): `t` = window start in unix seconds, one value per
   * `<kind> <model>@<version> <role>`.
   */
  readonly rmseByWindow: readonly { readonly t: number; readonly values: Readonly<Record<string, number>> }[];
  /** The latest drift window of each kind, one row per column. */
  readonly drift: readonly DriftRow[];
}

export interface Frame {
  /** Unix seconds. */
  readonly t: number;
  readonly rides: { readonly total: number; readonly perSec: number };
  /** `<kind> <model>@<version>` -> predictions seen. */
  readonly predictions: Readonly<Record<string, { readonly total: number; readonly perSec: number }>>;
  /** Dead-letter code -> how many, with the latest reason. */
  readonly deadLetters: Readonly<Record<string, ReasonStatus>>;
  /** `<consumer> p<partition>` (records behind) or `<consumer> <shard> ms` (Kinesis: ms behind) -> lag. */
  readonly lag: Readonly<Record<string, number>>;
  /** `<consumer> p50|p95|p99` -> end-to-end latency in ms over the last scrape interval; absent = no observation. */
  readonly e2eMs: Readonly<Record<string, number>>;
  readonly instances: readonly InstanceStatus[];
  /** Predictions that arrived since the previous frame, newest first (at most a few). */
  readonly latest: readonly PredictionRow[];
  readonly monitor: MonitorStatus | null;
}

export interface Snapshot {
  /** `Kafka 127.0.0.1:9092`, `Kinesis http://...`. */
  readonly transport: string;
  readonly frames: readonly Frame[];
  /** The latest predictions, newest first. */
  readonly latest: readonly PredictionRow[];
}
