import Fastify, { type FastifyInstance } from 'fastify';
import { once, type Lifecycle, type Registry } from '@ridestream/runtime';

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** Ready = able to do its work now (consumer joined its group, model loaded). */
  readonly isReady: () => boolean;
}

export interface OpsServer extends Lifecycle {
  readonly app: FastifyInstance;
  /** The bound port (useful when `port` is 0). */
  port(): number;
}

/**
 * `/healthz` (the process is alive), `/readyz` (503 until ready) and `/metrics` (Prometheus text).
 * Separate from any business API so that probes and scrapes never queue behind traffic.
 */
export function createOpsServer(options: OpsServerOptions): OpsServer {
  const app = Fastify({ logger: false });
  registerOpsRoutes(app, options);
  return listenable(app, options);
}

/** Adds the probe and metrics routes to an existing app (the producer serves them beside its API). */
export function registerOpsRoutes(app: FastifyInstance, options: Pick<OpsServerOptions, 'registry' | 'isReady'>): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = options.isReady();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', options.registry.contentType).send(await options.registry.metrics()),
  );
}

/** Wraps a Fastify app in the Lifecycle contract: `start()` listens, `stop()` closes; both memoised. */
export function listenable(app: FastifyInstance, options: Pick<OpsServerOptions, 'host' | 'port'>): OpsServer {
  let boundPort = options.port;
  return {
    app,
    port: () => boundPort,
    start: once(async () => {
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address();
      if (address && typeof address === 'object') boundPort = address.port;
    }),
    stop: once(async () => {
      await app.close();
    }),
  };
}

/**
 * Answers every method but `allowed` on `url` with 405 and an `Allow` header, as HTTP asks; Fastify alone says 404,
 * which tells a client the resource does not exist (the OpenAPI property test checks this).
 */
export function registerMethodNotAllowed(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const allow = allowed.join(', ');
  app.route({
    method: app.supportedMethods.filter((m) => !allowed.includes(m)),
    url,
    handler: async (_request, reply) =>
      reply
        .code(405)
        .header('allow', allow)
        .send({ error: `method not allowed; use ${allow}` }),
  });
}
