/**
 * tip-consumer: scores every ride event on `rides` with the ride-tip model and publishes the suggested
 * tip (USD) to `tip-predictions`, on Kafka (default) or Kinesis (`TRANSPORT=kinesis`).
 * A composition root on the shared consumer entry (libs/consumer): config -> logger -> model -> service -> run.
 */
import { consumerMain } from '@ridestream/consumer';
import { loadConfig } from './config';

void consumerMain('tip', () => loadConfig(process.env));
