import { validateRideBatch } from '@ridestream/features';
import type { OutgoingMessage } from '@ridestream/stream-core';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { registerMethodNotAllowed } from '@ridestream/ops-http';
import { contextFromHeaders, traceHeaders, type Logger } from '@ridestream/runtime';
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';

export interface RidesRouteOptions {
  /** The topic (Kafka) or stream (Kinesis) the rides go to. */
  readonly topic: string;
  /**
   * Resolves once the transport holds the messages (Kafka: acks=all; Kinesis: PutRecords accepted them); a
   * rejection is answered 503 with retry-after (PUBLISH_QUEUE_FULL: "producer busy").
   */
  readonly publish: (messages: readonly OutgoingMessage[]) => Promise<void>;
  readonly maxRidesPerRequest: number;
  readonly logger: Logger;
  readonly registry: Registry;
  /** When set, each request gets a producer span whose context travels in the messages' `traceparent`. */
  readonly tracer?: Tracer;
}

/**
 * `POST /rides`: validate ride events (contract v2: one event or an array, any mix of types), publish keyed by ride
 * id (on Kinesis, the partition key), answer 202 once the broker or stream has them. It never waits for a
 * prediction: scoring happens downstream, at the consumers' pace. A bad event gets 400 naming the field (a v1 event
 * `schemaVersion`, a drop-off before its pickup `occurredAt`); nothing of a request with a bad event is published,
 * so a client can fix and resend the whole request without creating duplicates.
 *
 * Stateless on purpose: events are published in request order, whatever their `occurredAt`. A late or out-of-order
 * event (a `ride.completed` before its `ride.started`, a resent duplicate) is accepted and published as it comes;
 * the consumers score each event on its own, and a duplicate gets the same prediction id (docs/FEATURES.md).
 */
export function registerRidesRoute(app: FastifyInstance, o: RidesRouteOptions): void {
  const registers = [o.registry];
  const accepted = new Counter({
    name: 'ridestream_rides_accepted_total',
    help: 'Ride events accepted and published',
    registers,
  });
  const rejected = new Counter({
    name: 'ridestream_rides_rejected_requests_total',
    help: 'Requests answered 4xx/5xx',
    labelNames: ['status'],
    registers,
  });

  registerMethodNotAllowed(app, '/rides', ['POST']);
  app.post('/rides', async (request, reply) => {
    // Fastify also parses text/plain; this API speaks JSON only, and says so with 415.
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return reply.code(415).send({ error: 'content-type must be application/json' });
    }
    const result = validateRideBatch(request.body, o.maxRidesPerRequest);
    if ('issues' in result) {
      rejected.inc({ status: '400' });
      return reply
        .code(400)
        .send({ error: 'invalid ride event', field: result.issues[0]?.path, issues: result.issues });
    }
    const span = o.tracer?.startSpan(
      'publish rides',
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.destination.name': o.topic, 'messaging.batch.message_count': result.events.length },
      },
      contextFromHeaders(request.headers),
    );
    // Without tracing, a caller's traceparent is still passed on, so a downstream tracer can join the trace.
    const headers = span
      ? traceHeaders(span)
      : typeof request.headers.traceparent === 'string'
        ? { traceparent: request.headers.traceparent }
        : undefined;
    const messages: OutgoingMessage[] = result.events.map((event) => ({
      stream: o.topic,
      key: event.rideId,
      value: JSON.stringify(event),
      headers,
    }));
    try {
      await o.publish(messages);
    } catch (err) {
      // A failed batch is logged once where it failed (the coalescer); a request refused for a full queue is load.
      o.logger.debug({ err, rides: messages.length }, 'publish failed');
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      rejected.inc({ status: '503' });
      const busy = (err as { code?: unknown }).code === 'PUBLISH_QUEUE_FULL';
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: busy ? 'producer busy, retry later' : 'broker unavailable, retry later', retriable: true });
    } finally {
      span?.end();
    }
    accepted.inc(messages.length);
    return reply.code(202).send({ accepted: messages.length });
  });
}
