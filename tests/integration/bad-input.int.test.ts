/**
 * Bad input at scale: 10,000 malformed events of every kind (v1 events and drop-offs before their pickup among them)
 * interleaved with 5,000 real rides on one topic, through one duration consumer. Every bad event must land in the
 * dead-letter topic with its reason, every ride.started must be scored exactly once, each ride's ride.completed and
 * ride.paid (valid, of another type) skipped and counted, never dead-lettered, and the consumer must never crash or
 * rejoin its group.
 */
import { parseRideEvent } from '@ridestream/features';
import type { CleanRide } from '@ridestream/tlc';
import { DLQ_HEADERS } from '@ridestream/stream-core';
import {
  collect,
  freshTopics,
  seededRandom,
  testKafka,
  waitFor,
  waitForAll,
  type Collector,
} from '@ridestream/testing';
import type { Kafka, Message, Producer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { predictionsOf, realCleanRides, startConsumer } from './helpers';
import { expectPredictions } from './support/predictions';

const BAD = 10_000;
const GOOD = 5_000;

let kafka: Kafka;
let producer: Producer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  kafka = testKafka();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type BadKind =
  | 'broken-json'
  | 'wrong-type'
  | 'missing-field'
  | 'unknown-zone'
  | 'huge-string'
  | 'binary'
  | 'proto-pollution'
  | 'deep-nesting'
  | 'not-an-object'
  | 'retired-v1'
  | 'dropoff-before-pickup';

/** One malformed event of `kind`, derived from a real ride so that only the defect makes it bad. */
function badEvent(kind: BadKind, clean: CleanRide, i: number, rand: () => number): string | Buffer {
  const id = `bad-${i}`;
  const ride = clean.started;
  const fields = [
    'rideId',
    'eventId',
    'type',
    'vendorId',
    'occurredAt',
    'puLocationId',
    'doLocationId',
    'plannedDistance',
  ];
  const strings = ['rideId', 'eventId', 'type', 'occurredAt'];
  const field = fields[Math.floor(rand() * fields.length)]!;
  switch (kind) {
    case 'broken-json': {
      const json = JSON.stringify({ ...ride, rideId: id });
      return json.slice(0, 1 + Math.floor(rand() * (json.length - 2)));
    }
    case 'wrong-type': {
      // Strings are a valid type for the ids, the type and the time, so those get only non-strings.
      const wrongs = strings.includes(field) ? [null, true, [], {}, -1.5] : [null, true, 'x', [], {}, '12'];
      return JSON.stringify({ ...ride, rideId: id, [field]: wrongs[Math.floor(rand() * wrongs.length)] });
    }
    case 'missing-field': {
      const r: Record<string, unknown> = { ...ride, rideId: id };
      delete r[field];
      return JSON.stringify(r);
    }
    case 'unknown-zone':
      return JSON.stringify({ ...ride, rideId: id, [rand() < 0.5 ? 'puLocationId' : 'doLocationId']: 266 + i });
    case 'huge-string':
      // ~100 KB in a string field: too long for the contract, well under the broker's 1 MiB message limit.
      return JSON.stringify({ ...ride, rideId: id, [rand() < 0.5 ? 'rideId' : 'occurredAt']: 'x'.repeat(100_000) });
    case 'binary':
      return Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 512) }, () => Math.floor(rand() * 256)));
    case 'proto-pollution':
      // The ride's fields only reachable through a polluted prototype: they must not make it valid.
      return rand() < 0.5
        ? `{"__proto__":${JSON.stringify({ ...ride, rideId: id })}}`
        : `{"constructor":{"prototype":${JSON.stringify({ ...ride, rideId: id })}},"rideId":"${id}"}`;
    case 'deep-nesting':
      return rand() < 0.5 ? '['.repeat(1000) + ']'.repeat(1000) : '{"a":'.repeat(1000) + '1' + '}'.repeat(1000);
    case 'not-an-object':
      return JSON.stringify([null, 1, 'ride', [ride], true][Math.floor(rand() * 5)]);
    case 'retired-v1':
      return JSON.stringify({ ...ride, rideId: id, schemaVersion: 1 });
    case 'dropoff-before-pickup': {
      const early = new Date(Date.parse(clean.completed.startedAt) - 1000 - Math.floor(rand() * 3_600_000));
      return JSON.stringify({ ...clean.completed, rideId: id, occurredAt: early.toISOString() });
    }
  }
}

const KINDS: readonly BadKind[] = [
  'broken-json',
  'wrong-type',
  'missing-field',
  'unknown-zone',
  'binary',
  'proto-pollution',
  'deep-nesting',
  'not-an-object',
  'retired-v1',
  'dropoff-before-pickup',
];

/** The code each kind of bad event must be dead-lettered with. */
const EXPECTED_CODE: Record<BadKind, string | readonly string[]> = {
  'broken-json': 'INVALID_JSON',
  // Random bytes are rarely JSON; when they are, they are not a ride event.
  binary: ['INVALID_JSON', 'INVALID_EVENT'],
  'wrong-type': 'INVALID_EVENT',
  'missing-field': 'INVALID_EVENT',
  'unknown-zone': 'INVALID_EVENT',
  'huge-string': 'INVALID_EVENT',
  'proto-pollution': 'INVALID_EVENT',
  'deep-nesting': 'INVALID_EVENT',
  'not-an-object': 'INVALID_EVENT',
  'retired-v1': 'CONTRACT_VERSION_RETIRED',
  'dropoff-before-pickup': 'DROPOFF_BEFORE_PICKUP',
};

/** Producer requests of at most ~512 KB, so no per-partition batch nears the broker's 1 MiB limit. */
async function produceBySize(topic: string, messages: readonly Message[]): Promise<void> {
  let batch: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    batch.push(m);
    bytes += (m.value as string | Buffer).length;
    if (bytes > 512 * 1024 || batch.length >= 500) {
      await producer.send({ topic, messages: batch });
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) await producer.send({ topic, messages: batch });
}

describe.each(['false', 'true'])('bad input at scale (EXACTLY_ONCE=%s)', (exactlyOnce) => {
  it(`dead-letters ${BAD} malformed events with a reason, scores ${GOOD} rides once, skips the other types, never restarts`, async () => {
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq']);
    const clean = await realCleanRides(GOOD);
    const rides = clean.map((r) => r.started);
    const rand = seededRandom(exactlyOnce === 'true' ? 7 : 42);

    const bad: { id: string; kind: BadKind; value: string | Buffer }[] = [];
    for (let i = 0; i < BAD; i++) {
      // 50 huge (~5 MB in all); the rest spread evenly over the other kinds.
      const kind = i % 200 === 0 ? 'huge-string' : KINDS[i % KINDS.length]!;
      bad.push({ id: `bad-${i}`, kind, value: badEvent(kind, clean[i % clean.length]!, i, rand) });
    }
    // The generator is honest: every "bad" event really is rejected by the contract.
    for (const b of bad) expect(parseRideEvent(b.value).ok, `${b.id} (${b.kind})`).toBe(false);

    // Each ride's three events with two bad events after its start, in one stream; keys spread them over the
    // partitions (a ride's events on one).
    const messages: Message[] = [];
    clean.forEach((r, i) => {
      messages.push({ key: r.rideId, value: JSON.stringify(r.started) });
      for (const b of bad.slice(2 * i, 2 * i + 2))
        messages.push({ key: b.id, value: b.value, headers: { 'x-test-id': b.id } });
      messages.push({ key: r.rideId, value: JSON.stringify(r.completed) });
      messages.push({ key: r.rideId, value: JSON.stringify(r.paid) });
    });
    expect(messages).toHaveLength(BAD + 3 * GOOD);

    const out: Collector = await collect(kafka, output);
    cleanups.push(() => out.stop());
    const dead: Collector = await collect(kafka, dlq);
    cleanups.push(() => dead.stop());
    const c = await startConsumer('duration', {
      INPUT_TOPIC: input,
      OUTPUT_TOPIC: output,
      DEAD_LETTER_TOPIC: dlq,
      BATCH_SIZE: '200',
      EXACTLY_ONCE: exactlyOnce,
    });
    cleanups.push(() => c.service.stop());
    let crashed: unknown;
    c.service.finished?.catch((err: unknown) => (crashed = err ?? new Error('finished rejected')));
    await waitFor(() => c.service.isReady(), 'the consumer to join its group');

    await produceBySize(input, messages);
    await waitForAll(
      rides.map((r) => r.rideId),
      () => out.keys(),
      `predictions on ${output}`,
      { timeoutMs: 90_000 },
    );
    await waitFor(
      () => dead.messages.length >= BAD,
      () => `dead letters on ${dlq}: ${dead.messages.length} of ${BAD}`,
      90_000,
    );

    // Every bad event in the DLQ exactly once, with its original bytes and a reason.
    const byId = new Map<string, (typeof dead.messages)[number]>();
    for (const m of dead.messages) {
      const id = String(m.headers?.['x-test-id']);
      expect(byId.has(id), `${id} dead-lettered twice`).toBe(false);
      byId.set(id, m);
    }
    expect(byId.size).toBe(BAD);
    const codes = new Map<string, number>();
    for (const b of bad) {
      const m = byId.get(b.id);
      expect(m, `${b.id} (${b.kind}) not in the DLQ`).toBeDefined();
      const code = String(m!.headers?.[DLQ_HEADERS.code]);
      expect([EXPECTED_CODE[b.kind]].flat(), `${b.id} (${b.kind})`).toContain(code);
      expect(String(m!.headers?.[DLQ_HEADERS.reason]).length, b.id).toBeGreaterThan(0);
      expect(String(m!.headers?.[DLQ_HEADERS.sourceStream])).toBe(input);
      expect(Buffer.compare(m!.value!, Buffer.from(b.value)), b.id).toBe(0);
      codes.set(`${b.kind}:${code}`, (codes.get(`${b.kind}:${code}`) ?? 0) + 1);
    }
    // Truncated JSON is reported as such; well-formed JSON that breaks the contract names the contract; a v1 event
    // says the version is retired; a drop-off before its pickup says so.
    const count = (kind: BadKind) => bad.filter((b) => b.kind === kind).length;
    for (const kind of [...KINDS, 'huge-string' as const].filter((k) => k !== 'binary'))
      expect(codes.get(`${kind}:${String(EXPECTED_CODE[kind])}`), kind).toBe(count(kind));

    // Every valid ride scored exactly once.
    expectPredictions(predictionsOf(out.messages, 'duration'), rides, { repeats: 'none' });
    expect(await c.scored()).toBe(GOOD);
    // Valid events of another type: skipped and counted, none in the DLQ (its size is exactly BAD above).
    await waitFor(async () => Object.values(await c.skipped()).reduce((x, y) => x + y, 0) >= 2 * GOOD, 'skips');
    expect(await c.skipped()).toEqual({ 'ride.completed': GOOD, 'ride.paid': GOOD });

    // No restart: the run never failed, and the group was joined once.
    expect(crashed).toBeUndefined();
    const joins = (await c.service.registry.getSingleMetric('ridestream_rebalances_total')?.get())?.values[0]?.value;
    expect(joins).toBe(1);
    expect(c.service.isReady()).toBe(true);
  });
});
