/**
 * End-to-end latency at a given load: rides are produced at a steady `rate` onto an empty input topic, and a
 * subscriber in this process reads the output topics. Latency = the moment the prediction reaches the subscriber
 * minus the moment its ride was handed to the producer (both on this process's monotonic clock; predictions are
 * matched by key, the ride id). Rides sent during the warm-up are not counted.
 */
import type { Consumer } from 'kafkajs';
import { sleep } from './log';
import type { Producer } from 'kafkajs';
import { uniqueName, withProducer, type BenchKafka, type Payload } from './kafka';
import { procUsage } from './procs';
import { scrapeLoopDelay, type LoopDelay } from './scrape';
import { percentile, summarizeLatencies, type LatencySummary } from './stats';
import type { RunningSut } from './suts';

export interface LatencyOptions {
  readonly bench: BenchKafka;
  readonly sut: RunningSut;
  readonly input: string;
  readonly outputs: readonly string[];
  readonly payloads: readonly Payload[];
  /** Rides per second. */
  readonly rate: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** How long to wait for the last predictions after the last send. */
  readonly settleSeconds?: number;
  /** Pacing tick: rides due are sent in one request every `tickMs` (our producer lingers 5 ms). */
  readonly tickMs?: number;
  /**
   * Whether payload `index`'s send starts the clock of output `output`'s record for its key (the event that output
   * answers: a ride's three events share its key). Default: every payload, the last send of a key counts.
   */
  readonly startsClock?: (output: number, index: number) => boolean;
}

export interface LatencyResult {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly sent: number;
  /** Per output topic, counted after the warm-up. */
  readonly latencyMs: LatencySummary[];
  /**
   * The same latency cut in two by the prediction's record timestamp (set by the system's producer): send -> output
   * record created (the system under test) and output record created -> seen by the subscriber (delivery). Wall clock,
   * same machine; records timestamps have 1 ms resolution. First output topic.
   */
  readonly splitMs: { readonly system: LatencySummary; readonly delivery: LatencySummary };
  /**
   * Rides (after warm-up) whose prediction had not arrived when the settle time ran out, per output. They count in
   * the percentiles with the time waited so far (a lower bound): then the percentiles are lower bounds too.
   */
  readonly missing: number[];
  /** How late the paced producer sent, p99 (ms): a loaded bench process shows here, not in the latency. */
  readonly sendLatenessP99Ms: number;
  /** Time for the input records to be acknowledged (acks=all): the broker's share of the latency. */
  readonly produceAckMs: LatencySummary;
  /** CPU cores the processes under test used during the measured part. */
  readonly cores: number;
  readonly loopDelay: Record<string, LoopDelay>;
}

interface Seen {
  readonly key: string;
  /** The output record's timestamp (ms since epoch). */
  readonly createdMs: number;
}

async function startSubscriber(
  bench: BenchKafka,
  topics: readonly string[],
  onMessages: (topicIndex: number, seen: Seen[], at: number) => void,
): Promise<Consumer> {
  const consumer = bench.kafka.consumer({
    groupId: uniqueName('subscriber'),
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    // The observer never commits: with auto-commit kafkajs sends an OffsetCommit after every batch and only then
    // fetches again, which put a broker round trip of the bench's own into every measured delivery.
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const at = performance.now();
      onMessages(
        topics.indexOf(batch.topic),
        batch.messages.map((m) => ({ key: m.key ? m.key.toString('utf8') : '', createdMs: Number(m.timestamp) })),
        at,
      );
    },
  });
  const deadline = Date.now() + 30_000;
  while (!joined) {
    if (Date.now() > deadline) throw new Error('latency subscriber did not join its group in 30 s');
    await sleep(20);
  }
  return consumer;
}

export function measureLatency(o: LatencyOptions): Promise<LatencyResult> {
  return withProducer(o.bench, (producer) => paced(o, producer));
}

async function paced(o: LatencyOptions, producer: Producer): Promise<LatencyResult> {
  const tickMs = o.tickMs ?? 2;
  const sentAt = o.outputs.map(() => new Map<string, number>());
  const latencies: number[][] = o.outputs.map(() => []);
  const received = o.outputs.map(() => new Set<string>());
  let measureFrom = Infinity;
  const systemMs: number[] = [];
  const deliveryMs: number[] = [];
  const subscriber = await startSubscriber(o.bench, o.outputs, (i, seen, at) => {
    const atWall = performance.timeOrigin + at;
    for (const { key, createdMs } of seen) {
      const t = sentAt[i]!.get(key);
      if (t === undefined || received[i]!.has(key)) continue;
      received[i]!.add(key);
      if (t < measureFrom) continue;
      latencies[i]!.push(at - t);
      if (i === 0) {
        systemMs.push(createdMs - (performance.timeOrigin + t));
        deliveryMs.push(atWall - createdMs);
      }
    }
  });
  const procs = o.sut.members.map((m) => m.proc);
  const scrapeAll = () =>
    Promise.all(o.sut.members.map((m) => (m.metricsPort ? scrapeLoopDelay(m.metricsPort) : undefined)));
  const lateness: number[] = [];
  const acks: number[] = [];
  let cpuStart: number[] = [];
  let measuredStart = 0;
  let sent = 0;
  const total = Math.min(o.payloads.length, Math.floor(o.rate * o.seconds));
  const inFlight = new Set<Promise<unknown>>();
  try {
    const t0 = performance.now();
    measureFrom = t0 + o.warmupSeconds * 1000;
    let warm = false;
    while (sent < total) {
      const now = performance.now();
      if (!warm && now >= measureFrom) {
        warm = true;
        measuredStart = now;
        cpuStart = procs.map((p) => procUsage(p.pid)?.cpuSeconds ?? 0);
        void scrapeAll();
      }
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * o.rate));
      if (due > sent) {
        const batch = o.payloads.slice(sent, due);
        lateness.push(now - (t0 + (sent / o.rate) * 1000));
        batch.forEach((p, j) =>
          sentAt.forEach((times, i) => {
            if (o.startsClock?.(i, sent + j) ?? true) times.set(p.key, now);
          }),
        );
        sent = due;
        // At most 1,000 rides per request: a late tick must not make a batch above the broker's 1 MiB limit.
        for (let i = 0; i < batch.length; i += 1000) {
          const request = producer.send({ topic: o.input, acks: -1, messages: batch.slice(i, i + 1000) as Payload[] });
          if (warm) void request.then(() => acks.push(performance.now() - now)).catch(() => {});
          inFlight.add(request);
          void request.finally(() => inFlight.delete(request)).catch(() => {});
        }
        if (inFlight.size >= 64) await Promise.race(inFlight);
      }
      await sleep(tickMs);
    }
    await Promise.all(inFlight);
    const sendSeconds = (performance.now() - t0) / 1000;
    const measuredSeconds = (performance.now() - measuredStart) / 1000;
    const cpuEnd = procs.map((p) => procUsage(p.pid)?.cpuSeconds ?? 0);
    const loops = await scrapeAll();
    const expected = sentAt.map((times) => [...times.values()].filter((t) => t >= measureFrom).length);
    const settleBy = Date.now() + (o.settleSeconds ?? 5) * 1000;
    while (latencies.some((l, i) => l.length < expected[i]!) && Date.now() < settleBy) await sleep(50);
    const missing = latencies.map((l, i) => expected[i]! - l.length);
    const censoredAt = performance.now();
    latencies.forEach((l, i) => {
      if (l.length === expected[i]) return;
      for (const [key, t] of sentAt[i]!) if (t >= measureFrom && !received[i]!.has(key)) l.push(censoredAt - t);
    });
    const loopDelay: Record<string, LoopDelay> = {};
    procs.forEach((p, i) => {
      const l = loops[i];
      if (l) loopDelay[p.name] = l;
    });
    return {
      targetRate: o.rate,
      achievedRate: sent / sendSeconds,
      sent,
      latencyMs: latencies.map(summarizeLatencies),
      splitMs: { system: summarizeLatencies(systemMs), delivery: summarizeLatencies(deliveryMs) },
      missing,
      sendLatenessP99Ms: percentile(Float64Array.from(lateness).sort(), 99),
      produceAckMs: summarizeLatencies(acks),
      cores: cpuEnd.reduce((s, c, i) => s + c - (cpuStart[i] ?? 0), 0) / measuredSeconds,
      loopDelay,
    };
  } finally {
    await subscriber.disconnect();
  }
}
