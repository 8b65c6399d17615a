/** A record as any transport (Kafka partition, Kinesis shard) hands it to the pipeline. */
export interface SourceRecord {
  /** Kafka offset or Kinesis sequence number, as a string (both exceed 2^53). */
  readonly position: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** When the producer wrote it (ms since epoch): the start of end-to-end latency. */
  readonly timestampMs: number;
}

/** Where a batch came from, for dead-letter headers and logs. */
export interface SourceRef {
  readonly stream: string;
  readonly partition: string;
}
