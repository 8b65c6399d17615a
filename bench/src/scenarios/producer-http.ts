/**
 * Section 4: the producer's `POST /rides` under load from a second process (autocannon, keep-alive, closed loop),
 * loopback only, bodies of 1 ride and of 100 rides. Accepted = answered 202, which the producer does only once the
 * broker has acknowledged the rides (acks=all); the topic's record count is checked against it.
 */
import type { RideEvent } from '@ridestream/features';
import { writeFileSync } from 'node:fs';
import { bundlePath } from '../bundle';
import { createTopics, deleteTopics, topicCount, uniqueName, withAdmin, type BenchKafka } from '../kafka';
import { say } from '../log';
import { TMP_DIR } from '../paths';
import { withRideId } from '../rides';
import { freePort, procUsage, spawnProc, waitReady } from '../procs';
import { scrapeCounter } from '../scrape';

export interface HttpRun {
  readonly ridesPerRequest: number;
  readonly connections: number;
  readonly seconds: number;
  readonly requestsPerSec: number;
  readonly acceptedRidesPerSec: number;
  readonly latencyMs: { avg: number; p50: number; p90: number; p97_5: number; p99: number; max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly producerCores: number;
  readonly loadGeneratorCores: number;
  readonly producerPeakRssMB: number;
  /** Records on the topic == rides the producer counted as accepted (once it is quiet). */
  readonly topicMatchesAccepted: boolean;
  /** Rides per publish call (concurrent requests gathered by the producer), over the measured window. */
  readonly ridesPerPublish: number;
}

export interface HttpResult {
  readonly runs: HttpRun[];
  readonly errors: string[];
}

function bodiesFile(rides: readonly RideEvent[], perRequest: number, count: number): string {
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const slice = Array.from({ length: perRequest }, (_, j) => {
      const k = (i * perRequest + j) % rides.length;
      return withRideId(rides[k]!, `h${perRequest}-${i * perRequest + j}`);
    });
    bodies.push(JSON.stringify(perRequest === 1 ? slice[0] : slice));
  }
  const path = `${TMP_DIR}/bodies-${perRequest}.json`;
  writeFileSync(path, JSON.stringify(bodies));
  return path;
}

/**
 * The producer's accepted total once it stops moving: requests the load generator left in flight when it stopped
 * are still published and counted after its last answer, so the topic is compared with the total only then.
 */
async function quietTotal(port: number): Promise<number> {
  let last = await scrapeCounter(port, 'ridestream_rides_accepted_total');
  for (let stable = 0, i = 0; stable < 3 && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await scrapeCounter(port, 'ridestream_rides_accepted_total');
    stable = now === last && (await scrapeCounter(port, 'ridestream_publish_queued_rides')) === 0 ? stable + 1 : 0;
    last = now;
  }
  return last;
}

export async function runProducerHttp(
  bench: BenchKafka,
  rides: readonly RideEvent[],
  o: { seconds: number; warmupSeconds: number; brokers: string },
): Promise<HttpResult> {
  const runs: HttpRun[] = [];
  const errors: string[] = [];
  for (const { perRequest, connections } of [
    { perRequest: 1, connections: 64 },
    { perRequest: 100, connections: 16 },
  ]) {
    const topic = uniqueName(`http${perRequest}-c${connections}`);
    await createTopics(bench, [topic]);
    const port = await freePort();
    const producer = spawnProc(
      `producer-http${perRequest}-c${connections}`,
      process.execPath,
      [bundlePath('producer')],
      {
        KAFKA_BROKERS: o.brokers,
        RIDES_TOPIC: topic,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        LOG_LEVEL: 'info',
        // Empty = unset (runtime's config rule): no API keys or rate limit from the caller's environment.
        PRODUCER_API_KEYS: '',
        RATE_LIMIT_PER_MINUTE: '',
      },
    );
    try {
      await waitReady(producer, port);
      const file = bodiesFile(rides, perRequest, perRequest === 1 ? 20_000 : 500);
      const load = (seconds: number, name: string) =>
        spawnProc(name, process.execPath, [bundlePath('http-load')], {
          URL: `http://127.0.0.1:${port}/rides`,
          BODIES_FILE: file,
          CONNECTIONS: String(connections),
          DURATION_S: String(seconds),
        });
      const warm = load(o.warmupSeconds, `http-load${perRequest}-warmup`);
      await warm.exited;
      if (warm.events.some((e) => e.event === 'unavailable')) {
        errors.push('autocannon is not installed: add it as a devDependency (see BENCHMARKS.md)');
        break;
      }
      const before = await scrapeCounter(port, 'ridestream_rides_accepted_total');
      const batches0 = await scrapeCounter(port, 'ridestream_publish_batch_rides_count');
      const batchRides0 = await scrapeCounter(port, 'ridestream_publish_batch_rides_sum');
      const cpu0 = procUsage(producer.pid)?.cpuSeconds ?? 0;
      const gen = load(o.seconds, `http-load${perRequest}`);
      let genCpu = 0;
      const sampler = setInterval(() => (genCpu = procUsage(gen.pid)?.cpuSeconds ?? genCpu), 200);
      const result = await gen.waitForEvent(
        (e) => e.event === 'result' || e.event === 'error',
        (o.seconds + 30) * 1000,
      );
      clearInterval(sampler);
      const usage = procUsage(producer.pid);
      const producerCpu = (usage?.cpuSeconds ?? 0) - cpu0;
      await gen.exited;
      if (result.event !== 'result') throw new Error(`load generator: ${String(result.message)}`);
      const r = result as unknown as {
        latency: Record<string, number>;
        requests: Record<string, number>;
        duration: number;
        errors: number;
        timeouts: number;
        non2xx: number;
        ok: number;
      };
      const accepted = (await scrapeCounter(port, 'ridestream_rides_accepted_total')) - before;
      const ridesPerPublish =
        ((await scrapeCounter(port, 'ridestream_publish_batch_rides_sum')) - batchRides0) /
        ((await scrapeCounter(port, 'ridestream_publish_batch_rides_count')) - batches0);
      const total = await quietTotal(port);
      const run: HttpRun = {
        ridesPerRequest: perRequest,
        connections,
        seconds: r.duration,
        requestsPerSec: r.ok / r.duration,
        acceptedRidesPerSec: accepted / r.duration,
        latencyMs: {
          avg: r.latency.average!,
          p50: r.latency.p50!,
          p90: r.latency.p90!,
          p97_5: r.latency.p97_5!,
          p99: r.latency.p99!,
          max: r.latency.max!,
        },
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
        producerCores: producerCpu / r.duration,
        loadGeneratorCores: genCpu / r.duration,
        producerPeakRssMB: usage?.peakRssMB ?? NaN,
        topicMatchesAccepted: (await withAdmin(bench, (admin) => topicCount(admin, topic))) === total,
        ridesPerPublish,
      };
      runs.push(run);
      say(
        `  POST /rides x${perRequest} (${connections} connections): ${Math.round(run.acceptedRidesPerSec)} rides/s, ` +
          `${Math.round(run.requestsPerSec)} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ` +
          `${run.ridesPerPublish.toFixed(1)} rides per publish call, topic = accepted: ${run.topicMatchesAccepted}`,
      );
    } catch (err) {
      errors.push(`${perRequest} per request: ${(err as Error).message}`);
      say(`  POST /rides x${perRequest}: FAILED ${(err as Error).message}`);
    } finally {
      await producer.stop();
      await deleteTopics(bench, [topic]);
    }
  }
  return { runs, errors };
}
