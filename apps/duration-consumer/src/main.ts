/**
 * duration-consumer: scores every ride event on `rides` with the ride-duration model and publishes the refined
 * duration to `ride-duration-predictions`, on Kafka (default) or Kinesis (`TRANSPORT=kinesis`).
 * A composition root on the shared consumer entry (libs/consumer): config -> logger -> model -> service -> run.
 */
import { consumerMain } from '@ridestream/consumer';
import { loadConfig } from './config';

void consumerMain('duration', () => loadConfig(process.env));
