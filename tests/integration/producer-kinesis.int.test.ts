/**
 * The producer on the local Kinesis, composed as apps/producer composes it with TRANSPORT=kinesis: POST /rides ->
 * PutRecords on the rides stream, partition key = ride id; a bad ride is a 400 naming the field and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import { rideEventSchema, type RideEvent } from '@ridestream/features';
import { aStarted } from '@ridestream/features/testing';
import { createProducerService, replayRides, type ProducerService } from '@ridestream/producer';
import { awsConnectionsFromEnv, createKinesisStreamPublisher, kinesisEnvSchema } from '@ridestream/kinesis';
import { collectStream, freshStreams, localAwsEnv, type StreamCollector } from '@ridestream/kinesis-tool';
import { loadEnvConfig, silentLogger } from '@ridestream/runtime';
import { waitFor } from '@ridestream/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { useLocalKinesis } from './conformance-kinesis-adapter';
import { realRideEvents } from './helpers';

const local = useLocalKinesis();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The producer service as the app builds it on Kinesis, from the same variables, on a free port. */
function kinesisProducer(stream: string, createResources: boolean): ProducerService {
  const env = loadEnvConfig(kinesisEnvSchema, localAwsEnv(local.endpoints()));
  const service = createProducerService({
    publisher: createKinesisStreamPublisher({
      connection: awsConnectionsFromEnv(env).kinesis,
      stream,
      logger: silentLogger(),
    }),
    createResources,
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 1024 * 1024,
    maxRidesPerRequest: 1000,
    logger: silentLogger(),
  });
  cleanups.push(() => service.stop());
  return service;
}

function collect(stream: string): StreamCollector {
  const c = collectStream(local.client(), stream);
  cleanups.push(() => c.stop());
  return c;
}

const postRides = (service: ProducerService, body: unknown) =>
  fetch(`http://127.0.0.1:${service.http.port()}/rides`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('producer on Kinesis', () => {
  it('creates the stream, becomes ready, and writes every posted ride event once, keyed by its ride id', async () => {
    const stream = `rides-${randomUUID()}`;
    const service = kinesisProducer(stream, true);
    await service.start();
    expect((await fetch(`http://127.0.0.1:${service.http.port()}/readyz`)).status).toBe(200);

    // 400 rides, 1,200 events of the three types, on the ride's clock.
    const rides = await realRideEvents(400);
    const sent = await replayRides({
      events: rides,
      url: `http://127.0.0.1:${service.http.port()}`,
      ratePerSec: 0,
      batchSize: 250,
      concurrency: 4,
    });
    expect(sent.sent).toBe(rides.length);

    const c = collect(stream);
    await waitFor(() => c.records.length >= rides.length, `${rides.length} records on ${stream}`);
    expect(c.records).toHaveLength(rides.length);
    const byId = new Map<string, RideEvent>(rides.map((r) => [r.eventId, r]));
    for (const r of c.records) {
      const ride = rideEventSchema.parse(JSON.parse(r.data.toString('utf8')));
      expect(r.partitionKey).toBe(ride.rideId);
      expect(ride).toEqual(byId.get(ride.eventId));
    }
    expect(new Set(c.records.map((r) => JSON.parse(r.data.toString('utf8')).eventId)).size).toBe(rides.length);
    expect(new Set(c.records.map((r) => r.partitionKey)).size).toBe(400);
    // The stream the producer created has 2 shards; ride ids hash onto both.
    expect(new Set(c.records.map((r) => r.shardId)).size).toBe(2);
  });

  it('rejects a bad ride with 400 naming the field, and writes nothing of the request', async () => {
    const [stream] = await freshStreams(local.client(), ['rides'], 1);
    const service = kinesisProducer(stream, false);
    await service.start();

    const bad = await postRides(service, [aStarted('good-1'), aStarted('bad-1', { doLocationId: 300 })]);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid ride event', field: '[1].doLocationId' });

    // Waits on a later valid ride rather than sleeping: once it is on the stream, the bad request would be too.
    expect((await postRides(service, aStarted('marker-1'))).status).toBe(202);
    const c = collect(stream);
    await waitFor(() => c.records.length >= 1, 'the marker ride');
    expect(c.records.map((r) => r.partitionKey)).toEqual(['marker-1']);
  });

  it('fails to start, naming the stream, when the stream does not exist and it may not create it', async () => {
    const stream = `missing-${randomUUID()}`;
    const service = kinesisProducer(stream, false);
    await expect(service.start()).rejects.toMatchObject({ code: 'STREAM_NOT_ACTIVE', context: { stream } });
  });

  it('answers 503 with retry-after when Kinesis does not take the rides', async () => {
    const [stream] = await freshStreams(local.client(), ['rides'], 1);
    const service = kinesisProducer(stream, false);
    await service.start();
    await local.client().send(new DeleteStreamCommand({ StreamName: stream }));

    const res = await postRides(service, aStarted('r-1'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
  });
});
