import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The outcome label of `records`: what happened to a record (bounded: never a ride id or a position). */
export type RecordOutcomeLabel = 'scored' | 'rejected' | 'skipped' | 'retry';

interface CounterLike {
  inc(value?: number): void;
}
interface LabelledCounterLike<L extends string> {
  inc(labels: Record<L, string>, value?: number): void;
}
interface HistogramLike {
  observe(value: number): void;
}
interface GaugeLike<L extends string> {
  set(labels: Record<L, string>, value: number): void;
}

/**
 * What the pipeline and the transports record, as an interface: the core never depends on how metrics are kept.
 * `createConsumerMetrics` backs it with prom-client on the service's registry; a test may pass its own.
 */
export interface ConsumerMetrics {
  readonly records: LabelledCounterLike<'outcome'>;
  /** Skipped events by their type (a handful of contract types, so the label stays bounded). */
  readonly skipped: LabelledCounterLike<'type'>;
  readonly batchSize: HistogramLike;
  readonly inferenceSeconds: HistogramLike;
  readonly endToEndSeconds: HistogramLike;
  readonly publishRetries: CounterLike;
  readonly lag: GaugeLike<'partition'>;
  readonly rebalances: CounterLike;
}

/** The consumer's metrics, registered on the service's own registry. Labels are bounded: no ride ids, no offsets. */
export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  const registers = [registry];
  return {
    records: new Counter({
      name: 'ridestream_records_total',
      help: 'Records handled, by outcome (scored, rejected, skipped, retry)',
      labelNames: ['outcome'],
      registers,
    }),
    skipped: new Counter({
      name: 'ridestream_skipped_total',
      help: 'Valid events of a type this consumer does not score, by event type',
      labelNames: ['type'],
      registers,
    }),
    batchSize: new Histogram({
      name: 'ridestream_batch_size',
      help: 'Records per scored chunk',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000],
      registers,
    }),
    inferenceSeconds: new Histogram({
      name: 'ridestream_inference_seconds',
      help: 'Per chunk, how long publishing waited for its scores (validation, features, model; in a worker thread, only what did not overlap the previous chunk)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    }),
    endToEndSeconds: new Histogram({
      name: 'ridestream_end_to_end_seconds',
      help: 'Input record timestamp to prediction acknowledged',
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    publishRetries: new Counter({
      name: 'ridestream_publish_retries_total',
      help: 'Retried publishes of predictions/dead letters',
      registers,
    }),
    lag: new Gauge({
      name: 'ridestream_consumer_lag',
      help: 'Records behind the partition end, at the last batch',
      labelNames: ['partition'],
      registers,
    }),
    rebalances: new Counter({ name: 'ridestream_rebalances_total', help: 'Consumer group rebalances', registers }),
  };
}
