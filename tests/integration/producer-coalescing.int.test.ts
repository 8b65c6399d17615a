/**
 * The producer's request coalescing on the real broker: many concurrent one-ride requests share publish calls, and
 * every ride answered 202 is on the topic exactly once (acks=all, idempotent producer), nothing else is.
 */
import { aStarted } from '@ridestream/features/testing';
import { createProducerService, DEFAULT_COALESCING } from '@ridestream/producer';
import { createKafkaRidesPublisher } from '@ridestream/kafka';
import { brokers, collect, freshTopics, testKafka, testLogger, unique, waitFor } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';

const REQUESTS = 3_000;
const CONNECTIONS = 64;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The value of an unlabelled (but for `service`) metric line in a Prometheus text page. */
const metric = (page: string, name: string) =>
  Number(new RegExp(`^${name}\\{service="producer"\\} (\\S+)$`, 'm').exec(page)?.[1] ?? NaN);

describe('producer: concurrent one-ride requests through the coalescing publisher', () => {
  it(`puts each of ${REQUESTS} rides answered 202 on the topic exactly once, in fewer publish calls than requests`, async () => {
    const kafka = testKafka();
    const [topic] = await freshTopics(kafka, ['rides-coalesced'], 3);
    const logger = testLogger();
    const producer = createProducerService({
      publisher: createKafkaRidesPublisher({
        kafka: { brokers: brokers(), clientId: unique('coalescing-producer') },
        topic,
        compression: 'none',
        logger,
      }),
      coalescing: DEFAULT_COALESCING,
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 64 * 1024,
      maxRidesPerRequest: 10,
      logger,
    });
    await producer.start();
    cleanups.push(() => producer.stop());
    const url = `http://127.0.0.1:${producer.http.port()}`;

    const ids = Array.from({ length: REQUESTS }, (_, i) => `coalesced-${i}`);
    const accepted: string[] = [];
    const refused: string[] = [];
    let next = 0;
    // A closed loop per connection, like a backend posting rides one by one.
    const connection = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const res = await fetch(`${url}/rides`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(aStarted(id)),
        });
        await res.arrayBuffer();
        (res.status === 202 ? accepted : refused).push(`${id}:${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, connection));
    expect(refused).toEqual([]);

    // Every request is answered, so nothing is in flight: the log holds exactly what was acknowledged.
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0)).toBe(accepted.length);

    const collector = await collect(kafka, topic);
    cleanups.push(() => collector.stop());
    await waitFor(() => collector.messages.length >= accepted.length, `${accepted.length} rides on ${topic}`);
    const onTopic = new Map<string, number>();
    for (const m of collector.messages) {
      const key = String(m.key);
      onTopic.set(key, (onTopic.get(key) ?? 0) + 1);
    }
    expect(ids.filter((id) => onTopic.get(id) !== 1)).toEqual([]);
    const sent = new Set(ids);
    expect([...onTopic.keys()].filter((k) => !sent.has(k))).toEqual([]);

    const page = (await producer.http.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metric(page, 'ridestream_rides_accepted_total')).toBe(REQUESTS);
    const publishCalls = metric(page, 'ridestream_publish_batch_rides_count');
    expect(metric(page, 'ridestream_publish_batch_rides_sum')).toBe(REQUESTS);
    expect(publishCalls).toBeLessThan(REQUESTS);
  });
});
