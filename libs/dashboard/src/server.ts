/**
 * The dashboard's HTTP side: the page (plain HTML + JS from `libs/dashboard/web`, uPlot from node_modules), the
 * server-sent event stream the page draws from, and the usual /healthz, /readyz and /metrics.
 */
import { registerOpsRoutes } from '@ridestream/ops-http';
import { type Registry } from '@ridestream/runtime';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Frame, Snapshot } from './frame';

const WEB = new URL('../web/', import.meta.url);
const require = createRequire(import.meta.url);

/** Path -> [file, content type]. Read once at startup: a missing file fails the start, not a page load. */
function staticFiles(): Map<string, { body: Buffer; type: string }> {
  const files: [string, string, string][] = [
    ['/', new URL('index.html', WEB).pathname, 'text/html; charset=utf-8'],
    ['/dashboard.js', new URL('dashboard.js', WEB).pathname, 'text/javascript; charset=utf-8'],
    ['/dashboard.css', new URL('dashboard.css', WEB).pathname, 'text/css; charset=utf-8'],
    ['/vendor/uPlot.iife.min.js', require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['/vendor/uPlot.min.css', require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  return new Map(files.map(([path, file, type]) => [path, { body: readFileSync(file), type }]));
}

/** Fan-out of frames to every connected page. */
export function createFrameHub() {
  const listeners = new Set<(f: Frame) => void>();
  return {
    publish(frame: Frame): void {
      for (const l of listeners) l(frame);
    },
    subscribe(l: (f: Frame) => void): () => void {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    get size(): number {
      return listeners.size;
    },
  };
}
export type FrameHub = ReturnType<typeof createFrameHub>;

export interface DashboardRoutesOptions {
  readonly hub: FrameHub;
  readonly snapshot: () => Snapshot;
  readonly registry: Registry;
  readonly isReady: () => boolean;
}

/** Per page, what may wait in its socket's buffer before frames are dropped for it. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * `GET /events`: `snapshot` once, then one `frame` per tick. EventSource reconnects by itself after a drop and
 * gets a fresh snapshot, so the page never has to replay anything.
 */
export function registerDashboardRoutes(app: FastifyInstance, o: DashboardRoutesOptions): void {
  const files = staticFiles();
  for (const [path, file] of files) {
    app.get(path, async (_req, reply) => reply.header('content-type', file.type).send(file.body));
  }
  const open = new Set<ServerResponse>();
  // The streams never end by themselves: without this, closing the server would wait for every page to leave.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.get('/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(sse('snapshot', o.snapshot()));
    const unsubscribe = o.hub.subscribe((frame) => {
      // A page that does not read (a background tab, a stalled link) must not grow our memory: its frames are
      // dropped until its socket drains. Frames hold totals, so the next one it gets is right again.
      if (res.writableLength < MAX_BUFFERED_BYTES) res.write(sse('frame', frame));
    });
    open.add(res);
    request.raw.once('close', () => (unsubscribe(), open.delete(res)));
  });
  registerOpsRoutes(app, { registry: o.registry, isReady: o.isReady });
}
