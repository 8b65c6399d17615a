import { createOpsServer, type OpsServer } from '@ridestream/ops-http';
import {
  createMetricsRegistry,
  createTracing,
  once,
  runCleanups,
  type CleanupStep,
  type Logger,
  type Registry,
  type RetrySettings,
  type Service,
} from '@ridestream/runtime';
import { Counter } from 'prom-client';
import { createConsumerMetrics, type ConsumerMetrics } from './metrics';
import type { BatchPlan } from './outcomes';
import type { PipelineOptions } from './pipeline';
import type { OutgoingMessage } from './records';
import type { Scorer } from './scorer';
import { createShadow } from './shadow';

const SHADOW_PLAN: BatchPlan = { scored: [], deadLetters: [], skipped: [], commitThrough: null, retryFrom: null };

/** What the service hands a transport's source and sink when it builds them. */
export interface StreamContext {
  /** The service's logger (component `<kind>-consumer`, plus the adapter's bindings). */
  readonly logger: Logger;
  readonly registry: Registry;
  readonly metrics: ConsumerMetrics;
  /** Aborted first on `stop()`: publish backoffs stop waiting, so a dead output cannot outlast the deadline. */
  readonly signal: AbortSignal;
}

/**
 * Where records come from: a Kafka consumer group, Kinesis shards under leases. The source cuts what it reads into
 * chunks of one partition or shard and runs each through `processChunk(records, source, pipeline)`, committing or
 * checkpointing the plan's `commitThrough` after it returns (it may replace `pipeline.publish` per chunk, as Kafka's
 * exactly-once mode does to publish and commit in one transaction).
 */
export interface StreamSource {
  /** Starts reading; resolves once reading has begun. */
  start(pipeline: PipelineOptions): Promise<void>;
  /** True once this instance takes part (joined its group, reads its shards). */
  isReady(): boolean;
  /** Rejects when the source fails in a way no retry fixes: the process must exit non-zero. */
  readonly finished?: Promise<void>;
  /** Run first on `stop()`, in order, each in its own try/catch: stop intake, finish and commit, release. */
  readonly stopSteps: readonly CleanupStep[];
}

/** Where predictions and dead letters go: a Kafka producer, Kinesis PutRecords. */
export interface StreamSink {
  /** Resolves once every message is acknowledged by its stream. */
  publish(messages: readonly OutgoingMessage[], plan: BatchPlan): Promise<void>;
  start(): Promise<void>;
  /** Run after the source's steps: flush and disconnect. */
  readonly stopSteps: readonly CleanupStep[];
}

export interface StreamConsumerServiceOptions {
  /** The consumer group or application name: the metrics' `consumer` label, dead letters, traces. */
  readonly name: string;
  /** Owned by the service from here on: `stop()` disposes it. */
  readonly scorer: Scorer;
  readonly logger: Logger;
  /** Added to the service logger's bindings (e.g. `{ transport: 'kinesis' }`). */
  readonly logBindings?: Readonly<Record<string, string>>;
  readonly outputStream: string;
  readonly deadLetterStream: string;
  /** How publishing is retried (from the consumer's config: `retrySettings(config, 'PUBLISH')`). */
  readonly publishRetry?: RetrySettings;
  readonly http: { readonly host: string; readonly port: number };
  /** With an OTLP endpoint, each scored ride gets a span continuing the producer's trace. */
  readonly tracing?: { readonly otlpEndpoint?: string; readonly positionAttribute?: string };
  readonly sink: (ctx: StreamContext) => StreamSink;
  readonly source: (ctx: StreamContext) => StreamSource;
  /** Creates the input, output and dead-letter streams when missing (dev), before the sink starts; returns the
   * names it created, for the log. */
  readonly ensureResources?: () => Promise<readonly string[]>;
  /** Run after the sink's steps, before the model is released: the clients source and sink share. */
  readonly cleanups?: readonly CleanupStep[];
  /**
   * Shadow scoring: a challenger (owned by the service from here on) scores the same chunks and publishes to
   * `outputStream` through the same sink, best effort.
   */
  readonly shadow?: { readonly scorer: Scorer; readonly outputStream: string; readonly maxInFlight?: number };
  /** Fields for the "consuming" log line (input, output...). */
  readonly describe?: Readonly<Record<string, string>>;
}

export interface StreamConsumerService extends Service {
  readonly ops: OpsServer;
  readonly registry: Registry;
  isReady(): boolean;
}

/**
 * A scoring consumer on any transport: reads ride events from `source`, scores them with `scorer`, publishes
 * predictions and dead letters through `sink`, and serves /healthz, /readyz and /metrics. `stop()` aborts publish
 * backoffs, then runs the source's steps (stop intake, finish and commit the chunk in hand), the sink's (flush,
 * disconnect), the shared cleanups, releases the model, flushes traces and closes the ops server, each step in its
 * own try/catch. A source that fails for good, or a scorer that dies, rejects `finished`.
 *
 * @example
 * const service = createStreamConsumerService({ name: 'duration-consumer', scorer, logger, outputStream,
 *   deadLetterStream, http: { host, port }, sink: (ctx) => kafkaSink(ctx), source: (ctx) => kafkaSource(ctx) });
 * await runService(service, { logger });
 */
export function createStreamConsumerService(o: StreamConsumerServiceOptions): StreamConsumerService {
  const logger = o.logger.child({ component: `${o.scorer.kind}-consumer`, ...o.logBindings });
  const registry = createMetricsRegistry({ consumer: o.name });
  const metrics = createConsumerMetrics(registry);
  const abort = new AbortController();
  const ctx: StreamContext = { logger, registry, metrics, signal: abort.signal };
  const sink = o.sink(ctx);
  const source = o.source(ctx);
  const shadow =
    o.shadow &&
    createShadow({
      ...o.shadow,
      // A plan that commits nothing: the shadow's messages never carry the source's position forward.
      publish: (messages) => sink.publish(messages, SHADOW_PLAN),
      logger,
      records: new Counter({
        name: 'ridestream_shadow_records_total',
        help: 'Records scored by the shadow (challenger) model, by outcome (published, failed, skipped)',
        labelNames: ['outcome'],
        registers: [registry],
      }),
    });
  shadow?.scorer.failed?.catch((err: unknown) => crashed(err));
  const tracing = createTracing({ serviceName: o.name, otlpEndpoint: o.tracing?.otlpEndpoint });
  let crashed: (err: unknown) => void = () => {};
  const finished = new Promise<void>((_, reject) => (crashed = reject));
  // Unhandled until someone listens; runService does.
  finished.catch(() => {});
  // A dead scoring worker cannot be replaced in place: exit non-zero and let the orchestrator restart us.
  o.scorer.failed?.catch((err: unknown) => crashed(err));
  source.finished?.catch((err: unknown) => crashed(err));

  const ops = createOpsServer({
    host: o.http.host,
    port: o.http.port,
    registry,
    isReady: () => source.isReady() && !abort.signal.aborted,
  });

  const stop = once(async () => {
    abort.abort();
    await runCleanups(
      [
        ...source.stopSteps,
        ...(shadow ? [{ name: 'drain shadow scoring', run: () => shadow.drain() }] : []),
        ...sink.stopSteps,
        ...(o.cleanups ?? []),
        { name: 'release model', run: () => o.scorer.dispose() },
        ...(shadow ? [{ name: 'release shadow model', run: () => shadow.dispose() }] : []),
        { name: 'flush traces', run: () => tracing.shutdown() },
        { name: 'close ops server', run: () => ops.stop() },
      ],
      logger,
    );
  });

  return {
    ops,
    registry,
    finished,
    isReady: () => source.isReady(),
    stop,
    start: once(async () => {
      await ops.start();
      if (o.ensureResources) {
        const created = await o.ensureResources();
        if (created.length) logger.info({ created }, 'created streams');
      }
      await sink.start();
      await source.start({
        scorer: o.scorer,
        publish: (messages, plan) => sink.publish(messages, plan),
        logger,
        metrics,
        outputStream: o.outputStream,
        deadLetterStream: o.deadLetterStream,
        consumerName: o.name,
        signal: abort.signal,
        publishRetry: o.publishRetry,
        tracer: tracing.tracer,
        positionAttribute: o.tracing?.positionAttribute,
        shadow,
      });
      logger.info({ model: o.scorer.model.name, version: o.scorer.model.version, ...o.describe }, 'consuming');
    }),
  };
}
