/** A record as any transport (Kafka partition, Kinesis shard, Lambda batch) hands it to the pipeline. */
export interface SourceRecord {
  /** Where the record sits in its partition or shard (Kafka offset, Kinesis sequence number), as a string: both
   * exceed 2^53. */
  readonly position: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** When the producer wrote it (ms since epoch): the start of end-to-end latency. */
  readonly timestampMs: number;
}

/** Where a batch came from, for dead-letter headers and logs: a topic or stream, and a partition or shard. */
export interface SourceRef {
  readonly stream: string;
  readonly partition: string;
}

/** One message to publish, whatever carries it: `stream` is a Kafka topic or a Kinesis stream, `key` the partition key. */
export interface OutgoingMessage {
  readonly stream: string;
  readonly key: string;
  readonly value: Buffer | string;
  /** Kafka carries them as record headers; Kinesis has none (dead letters carry theirs in an envelope). */
  readonly headers?: Readonly<Record<string, string>>;
}
