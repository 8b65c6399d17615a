import { validateRideEvent, type FieldIssue, type RideEvent } from '@ridestream/features';
import type { OutgoingMessage } from '@ridestream/kafka';
import type { Logger } from '@ridestream/runtime';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface RidesRouteOptions {
  readonly topic: string;
  /** Resolves once the messages are acknowledged by the broker (acks=all). */
  readonly publish: (messages: readonly OutgoingMessage[]) => Promise<void>;
  readonly maxRidesPerRequest: number;
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface IndexedIssue extends FieldIssue {
  /** Position in a batch request; absent for a single ride. */
  readonly index?: number;
}

/** Accepts one ride object or an array of rides; returns the valid rides or every issue, each naming its field. */
export function validateRideBody(body: unknown, maxRides: number): { rides: RideEvent[] } | { issues: IndexedIssue[] } {
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? body : [body];
  if (items.length === 0) return { issues: [{ path: '(root)', message: 'empty batch' }] };
  if (items.length > maxRides)
    return { issues: [{ path: '(root)', message: `at most ${maxRides} rides per request, got ${items.length}` }] };
  const rides: RideEvent[] = [];
  const issues: IndexedIssue[] = [];
  items.forEach((item, index) => {
    const r = validateRideEvent(item);
    if (r.ok) rides.push(r.value);
    else
      for (const i of r.error.issues)
        issues.push(batch ? { index, path: `[${index}].${i.path}`, message: i.message } : i);
  });
  return issues.length > 0 ? { issues: issues.slice(0, 100) } : { rides };
}

/**
 * `POST /rides`: validate, publish keyed by ride id, answer 202 once the broker has the rides. It never waits for
 * a prediction: scoring happens downstream, at the consumers' pace.
 * A bad ride gets 400 naming the field; nothing of a request with a bad ride is published, so a client can fix
 * and resend the whole request without creating duplicates.
 */
export function registerRidesRoute(app: FastifyInstance, o: RidesRouteOptions): void {
  const registers = [o.registry];
  const accepted = new Counter({
    name: 'ridestream_rides_accepted_total',
    help: 'Rides accepted and published',
    registers,
  });
  const rejected = new Counter({
    name: 'ridestream_rides_rejected_requests_total',
    help: 'Requests answered 4xx/5xx',
    labelNames: ['status'],
    registers,
  });
  const publishSeconds = new Histogram({
    name: 'ridestream_publish_seconds',
    help: 'Time to broker acknowledgement',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });

  app.post('/rides', async (request, reply) => {
    const result = validateRideBody(request.body, o.maxRidesPerRequest);
    if ('issues' in result) {
      rejected.inc({ status: '400' });
      return reply.code(400).send({ error: 'invalid ride', field: result.issues[0]?.path, issues: result.issues });
    }
    const traceparent = request.headers.traceparent;
    const messages: OutgoingMessage[] = result.rides.map((ride) => ({
      topic: o.topic,
      key: ride.rideId,
      value: JSON.stringify(ride),
      headers: typeof traceparent === 'string' ? { traceparent } : undefined,
    }));
    const end = publishSeconds.startTimer();
    try {
      await o.publish(messages);
    } catch (err) {
      o.logger.error({ err, rides: messages.length }, 'publish failed');
      rejected.inc({ status: '503' });
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: 'broker unavailable, retry later', retriable: true });
    } finally {
      end();
    }
    accepted.inc(messages.length);
    return reply.code(202).send({ accepted: messages.length });
  });
}
