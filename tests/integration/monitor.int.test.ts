/**
 * Live accuracy on real outcomes (issue 14): both consumers score a replayed stretch of real rides (every ride's
 * three events on the ride's clock); the monitor joins their predictions with the truth the later events carry.
 * Its RMSE and MAE per model version equal the offline figures of the same rides within 1e-6, also across a
 * restart of the monitor in the middle of the stream.
 */
import { regressionMetrics, scoreEvents } from '@ridestream/batch';
import { createModel } from '@ridestream/model';
import { brokers, collect, freshTopics, testKafka, unique, waitFor } from '@ridestream/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startService, stopService, waitReady, type RunningService } from '@ridestream/dev-services';
import { FEATURE_SPECS } from '@ridestream/features';
import { rideTimeline } from '@ridestream/tlc';
import { modelPath, produceAll, realCleanRides, startConsumer } from './helpers';

const RIDES = 1500;
const ROOT = new URL('../../', import.meta.url).pathname;

/** Per-version totals as the monitor exports them on /metrics (full double precision). */
async function totalsOf(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(ridestream_monitor_(?:rmse|mae|matched))\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.role === 'champion') out.set(`${m[1]}:${labels.kind}`, Number(m[3]));
  }
  return out;
}
const dir = mkdtempSync(join(tmpdir(), 'monitor-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

describe('monitor', () => {
  it('returns per-version RMSE/MAE equal to the offline figures of the same rides, across a restart', async () => {
    const kafka = testKafka();
    const [rides, durationOut, tipOut, dlq, metrics] = await freshTopics(
      kafka,
      ['rides', 'duration-out', 'tip-out', 'dlq', 'model-metrics'],
      3,
    );
    for (const [kind, out] of [
      ['duration', durationOut],
      ['tip', tipOut],
    ] as const) {
      const c = await startConsumer(kind, { INPUT_TOPIC: rides!, OUTPUT_TOPIC: out!, DEAD_LETTER_TOPIC: dlq! });
      cleanups.push(() => c.service.stop());
    }
    const port = await freePort();
    const env = {
      KAFKA_BROKERS: brokers().join(','),
      INPUT_TOPIC: rides!,
      DURATION_PREDICTIONS_TOPIC: durationOut!,
      TIP_PREDICTIONS_TOPIC: tipOut!,
      METRICS_TOPIC: metrics!,
      CONSUMER_GROUP: unique('monitor'),
      STATE_DIR: join(dir, 'state'),
      SNAPSHOT_INTERVAL_MS: '200',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
    };
    // The app as it runs in production: its own process; SIGTERM is a restart's graceful stop.
    const startMonitor = async () => {
      const s = startService(
        { name: 'monitor', entry: 'apps/monitor/src/main.ts', port, env },
        ROOT,
        join(dir, 'logs'),
        process.env,
      );
      await waitReady(s);
      return s;
    };

    // Rides under 90 minutes: every truth then arrives well within the monitor's MAX_TRUTH_DELAY_MS (2 h), so the
    // monitor must judge every one of them (a TLC ride of several hours would be evicted unjudged, by design).
    const clean = (await realCleanRides(RIDES)).filter(
      (r) => Date.parse(r.completed.occurredAt) - Date.parse(r.started.occurredAt) <= 90 * 60_000,
    );
    const events = [...rideTimeline(clean)];
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const send = (batch: typeof events) =>
      produceAll(
        producer,
        rides!,
        batch.map((e) => ({ key: e.rideId, value: JSON.stringify(e) })),
      );

    // First half of the stream, then a restart of the monitor, then the rest.
    let monitor: RunningService = await startMonitor();
    const half = Math.floor(events.length / 2);
    await send(events.slice(0, half));
    await waitFor(
      async () => ((await totalsOf(port)).get('ridestream_monitor_matched:duration') ?? 0) > 100,
      'the monitor to judge some rides',
      60_000,
    );
    expect(await stopService(monitor)).toBe(0);
    monitor = await startMonitor();
    cleanups.push(() => stopService(monitor));
    await send(events.slice(half));

    // Offline: the same rides, the same models, the same feature code.
    const offline = {} as Record<'duration' | 'tip', { rmse: number; mae: number; rows: number }>;
    for (const kind of ['duration', 'tip'] as const) {
      const model = await createModel({ path: modelPath(kind), features: FEATURE_SPECS[kind] });
      // Card tips only: TLC records no cash tips, so the monitor takes none as truth.
      const judged = kind === 'duration' ? clean : clean.filter((r) => r.paid.paymentType === 1);
      const predicted = await scoreEvents(
        model,
        kind,
        judged.map((r) => (kind === 'duration' ? r.started : r.completed)),
      );
      const actual = judged.map((r) =>
        kind === 'duration'
          ? (Date.parse(r.completed.occurredAt) - Date.parse(r.started.occurredAt)) / 60_000
          : r.paid.tipAmount,
      );
      offline[kind] = { ...regressionMetrics(predicted, actual), rows: judged.length };
      await model.dispose();
    }

    let totals = new Map<string, number>();
    await waitFor(
      async () => {
        totals = await totalsOf(port);
        return (
          totals.get('ridestream_monitor_matched:duration') === offline.duration.rows &&
          totals.get('ridestream_monitor_matched:tip') === offline.tip.rows
        );
      },
      `every ride judged (duration ${offline.duration.rows}, tip ${offline.tip.rows})`,
      120_000,
    ).catch(async (err: Error) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      throw new Error(
        `${err.message}; the monitor says:\n${text
          .split('\n')
          .filter((l) => /^ridestream_monitor_(matched|dropped|pending)/.test(l))
          .join('\n')}`,
      );
    });
    // Equal counts and equal sums: nothing judged twice across the restart, nothing missed.
    for (const kind of ['duration', 'tip'] as const) {
      const rmse = totals.get(`ridestream_monitor_rmse:${kind}`)!;
      const mae = totals.get(`ridestream_monitor_mae:${kind}`)!;
      expect(Math.abs(rmse - offline[kind].rmse), `${kind} RMSE ${rmse} vs offline ${offline[kind].rmse}`).toBeLessThan(
        1e-6,
      );
      expect(Math.abs(mae - offline[kind].mae), `${kind} MAE ${mae} vs offline ${offline[kind].mae}`).toBeLessThan(
        1e-6,
      );
    }

    // Closed windows reach the metrics topic, keyed by window.
    const out = await collect(kafka, metrics!);
    cleanups.push(() => out.stop());
    await waitFor(
      () => out.messages.some((m) => String(m.key).startsWith('accuracy:duration:')),
      'a closed duration window on the metrics topic',
      60_000,
    );
    const window = JSON.parse(String(out.messages.find((m) => String(m.key).startsWith('accuracy:duration:'))!.value));
    expect(window).toMatchObject({ type: 'accuracy', kind: 'duration', role: 'champion' });
    expect(window.matched).toBeGreaterThan(0);
  }, 300_000);
});
