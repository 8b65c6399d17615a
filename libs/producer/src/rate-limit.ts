import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export interface RateLimitOptions {
  /** Requests per client IP per minute. */
  readonly perMinute: number;
}

/**
 * Limits every route of `scope` to `perMinute` requests per client IP in a fixed one-minute window, answering
 * 429 with `retry-after` (seconds) above it. Per IP, not per key: it is also what slows down key guessing.
 * State is in memory, so with N producer replicas the effective limit is N x perMinute.
 * Register it in the scope of the business API so that probes and scrapes are never throttled.
 */
export async function registerRateLimit(scope: FastifyInstance, o: RateLimitOptions): Promise<void> {
  await scope.register(rateLimit, {
    max: o.perMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'too many requests',
      retryAfterSeconds: Math.ceil(context.ttl / 1000),
    }),
  });
}
