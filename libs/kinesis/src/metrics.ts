import { Counter, Gauge, type Registry } from 'prom-client';

/** Kinesis-only consumer metrics, beside the transport-neutral ones (`createConsumerMetrics`). Labels are bounded. */
export function createKinesisMetrics(registry: Registry) {
  const registers = [registry];
  return {
    millisBehindLatest: new Gauge({
      name: 'ridestream_kinesis_millis_behind_latest',
      help: 'How far behind the tip of its shard the last GetRecords was (ms)',
      labelNames: ['shard'],
      registers,
    }),
    leasesHeld: new Gauge({ name: 'ridestream_kinesis_leases_held', help: 'Shard leases held now', registers }),
    leaseTakes: new Counter({
      name: 'ridestream_kinesis_lease_takes_total',
      help: 'Leases taken, by kind (take = expired or free, steal = balancing)',
      labelNames: ['kind'],
      registers,
    }),
    leasesLost: new Counter({
      name: 'ridestream_kinesis_leases_lost_total',
      help: 'Leases lost to another worker or to failed renewals',
      registers,
    }),
    throttled: new Counter({
      name: 'ridestream_kinesis_throttled_total',
      help: 'Throttled calls or records (ProvisionedThroughputExceeded), by operation',
      labelNames: ['operation'],
      registers,
    }),
  };
}
export type KinesisMetrics = ReturnType<typeof createKinesisMetrics>;
