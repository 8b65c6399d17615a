import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A registry per service (injected, never the global one) with Node's default metrics (event-loop lag,
 * heap, GC) under the `ridestream_` prefix.
 */
export function createMetricsRegistry(labels: Record<string, string>): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: 'ridestream_', eventLoopMonitoringPrecision: 10 });
  return registry;
}

export type { Registry };
