import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  /** Undefined when tracing is off: callers skip span work entirely (no cost on the hot path). */
  readonly tracer: Tracer | undefined;
  /** Flushes spans still buffered. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  readonly serviceName: string;
  /** OTLP/HTTP endpoint, e.g. http://collector:4318 (`/v1/traces` is appended). */
  readonly otlpEndpoint?: string;
  /** Tests pass an in-memory exporter instead of an endpoint. */
  readonly exporter?: SpanExporter;
}

/**
 * Tracing for one service, without touching OpenTelemetry's globals (the provider is ours, not registered), so
 * tests and several services in one process do not interfere. Off unless an endpoint or exporter is given.
 */
export function createTracing(o: TracingOptions): Tracing {
  if (!o.otlpEndpoint && !o.exporter) return { tracer: undefined, shutdown: async () => {} };
  const processor = o.exporter
    ? new SimpleSpanProcessor(o.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${o.otlpEndpoint!.replace(/\/$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName }),
    spanProcessors: [processor],
  });
  return { tracer: provider.getTracer('ridestream'), shutdown: () => provider.shutdown() };
}

const propagator = new W3CTraceContextPropagator();

/** The trace context carried by message or request headers (`traceparent`), or the root context. */
export function contextFromHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** Headers (`traceparent`, `tracestate`) that continue `span`'s trace in the next hop. */
export function traceHeaders(span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier;
}
