import Fastify from 'fastify';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerMethodNotAllowed, registerOpsRoutes } from '../src/index';

// Fastify's inject() runs the routes in memory: a unit test opens no socket.
describe('ops routes', () => {
  const apps: ReturnType<typeof Fastify>[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  function opsApp(isReady: () => boolean, registry = new Registry()) {
    const app = Fastify({ logger: false });
    apps.push(app);
    registerOpsRoutes(app, { registry, isReady });
    return app;
  }

  it('returns 503 on /readyz until the service is ready, then 200', async () => {
    let ready = false;
    const app = opsApp(() => ready);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    ready = true;
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it("returns the injected registry's metrics in Prometheus text", async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'ops-test' });
    new Counter({ name: 'ops_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    const res = await opsApp(() => true, registry).inject({ url: '/metrics' });
    expect(res.headers['content-type']).toBe(registry.contentType);
    expect(res.body).toContain('ops_test_total{service="ops-test"} 3');
  });

  it('rejects another method with 405 and an Allow header', async () => {
    const app = Fastify({ logger: false });
    apps.push(app);
    app.post('/things', async () => ({ ok: true }));
    registerMethodNotAllowed(app, '/things', ['POST']);
    const res = await app.inject({ method: 'GET', url: '/things' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect((await app.inject({ method: 'POST', url: '/things' })).statusCode).toBe(200);
  });
});
