/**
 * monitor: live accuracy per model version (champion and shadow) on real outcomes, and drift against the reference
 * profiles, from the ride events and the prediction topics; closed windows go to METRICS_TOPIC and /metrics.
 */
import { createLogger, exitOnStartupError, runService } from '@ridestream/runtime';
import { loadConfig } from './config';
import { createMonitorService } from './service';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'monitor', level: config.LOG_LEVEL });
  const service = createMonitorService({ config, logger });
  await runService(service, { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
}

void main().catch(exitOnStartupError('monitor'));
