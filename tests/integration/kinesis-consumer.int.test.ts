/**
 * The long-running Kinesis consumer on the local Kinesis + DynamoDB: throttling, expired iterators, resharding,
 * leases shared between instances. Faults are injected with SDK middleware on a real client talking to a real
 * server, so every retry path runs the real code.
 */
import { FEATURE_SPECS } from '@ridestream/features';
import {
  ExpiredIteratorException,
  ProvisionedThroughputExceededException,
  SplitShardCommand,
  type KinesisClient,
  type PutRecordsCommandInput,
  type PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { LEASE_CHECKPOINT as CHECKPOINT, waitForStreamActive } from '@ridestream/kinesis';
import { collectStream, streamClient } from '@ridestream/kinesis-tool';
import { createModel, type Model } from '@ridestream/model';
import { unique, waitFor } from '@ridestream/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testModelPath } from './conformance';
import { kinesisAdapter, putAll, useLocalKinesis, wireConsumer } from './conformance-kinesis-adapter';
import { realRides } from './helpers';

const local = useLocalKinesis();
let model: Model;
beforeAll(async () => {
  model = await createModel({ path: testModelPath('duration'), features: FEATURE_SPECS.duration });
});
afterAll(() => model.dispose());
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const track = <T extends { stop(): Promise<unknown> }>(x: T): T => (cleanups.push(() => x.stop()), x);

/** A real client whose calls fail the way a busy stream makes them fail. */
function faultyClient(faults: { throttlePutEvery?: number; throttleGetEvery?: number; expireGetEvery?: number }) {
  const client: KinesisClient = streamClient(local.endpoints());
  cleanups.push(async () => client.destroy());
  const counts = { putThrottledRecords: 0, getThrottled: 0, expired: 0 };
  let gets = 0;
  let puts = 0;
  const refusedOnce = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetRecordsCommand') {
        gets++;
        if (faults.throttleGetEvery && gets % faults.throttleGetEvery === 0) {
          counts.getThrottled++;
          throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard', $metadata: {} });
        }
        if (faults.expireGetEvery && gets % faults.expireGetEvery === 0) {
          counts.expired++;
          throw new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
        }
      }
      if (context.commandName !== 'PutRecordsCommand' || !faults.throttlePutEvery) return next(args);
      // Every n-th record sent is refused as throttled (not written, and its result says why), each record once: a
      // retry of what was refused goes through, as a shard's throughput comes back. (Counting retries too, a lone
      // record could be the n-th on attempt after attempt, and the publisher's bounded retries would run out.)
      const input = args.input as PutRecordsCommandInput;
      const all = input.Records ?? [];
      const refused = new Set(
        all
          .map((_, i) => i)
          .filter((i) => {
            const key = all[i]!.PartitionKey!;
            if (refusedOnce.has(key) || ++puts % faults.throttlePutEvery! !== 0) return false;
            refusedOnce.add(key);
            return true;
          }),
      );
      counts.putThrottledRecords += refused.size;
      const kept = all.filter((_, i) => !refused.has(i));
      const res = kept.length
        ? await next({ ...args, input: { ...input, Records: kept } })
        : { output: { Records: [], FailedRecordCount: 0, $metadata: {} }, response: {} };
      const out = res.output as PutRecordsCommandOutput;
      let k = 0;
      out.Records = all.map((_, i) =>
        refused.has(i)
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }
          : out.Records![k++]!,
      );
      out.FailedRecordCount = (out.FailedRecordCount ?? 0) + refused.size;
      return res;
    },
    { step: 'initialize', name: 'injectFaults' },
  );
  return { client, counts };
}

describe('Kinesis publisher and consumer on the local Kinesis', () => {
  it('writes every record exactly once when PutRecords throttles some of them', async () => {
    const { input: stream } = await kinesisAdapter(local).freshStreams(4);
    const { client, counts } = faultyClient({ throttlePutEvery: 3 });
    const rides = await realRides(1200);
    await putAll(
      client,
      stream,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
    const c = track(collectStream(local.client(), stream));
    await waitFor(() => c.records.length >= rides.length, 'every record');
    expect(counts.putThrottledRecords).toBeGreaterThan(300);
    expect(c.records).toHaveLength(rides.length);
    expect(new Set(c.records.map((r) => r.partitionKey)).size).toBe(rides.length);
  });

  it('scores every ride once through GetRecords throttling and expired iterators', async () => {
    const streams = await kinesisAdapter(local).freshStreams(2);
    const rides = await realRides(2000);
    await putAll(
      local.client(),
      streams.input,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
    const { client, counts } = faultyClient({ throttleGetEvery: 3, expireGetEvery: 5 });
    const out = track(collectStream(local.client(), streams.output));
    const application = unique('dur');
    track(await wireConsumer(local, { client, streams, application, model, chunkSize: 50, maxRecordsPerGet: 100 }));
    await waitFor(() => out.records.length >= rides.length, 'a prediction per ride');
    expect(counts.getThrottled).toBeGreaterThan(0);
    expect(counts.expired).toBeGreaterThan(0);
    expect(new Set(out.records.map((r) => r.partitionKey)).size).toBe(rides.length);
    // The iterator is renewed after the checkpoint, which covers exactly what was published: no duplicates.
    expect(out.records).toHaveLength(rides.length);
  });

  it('reads the children of a split shard only after the parent, keeping each key in order', async () => {
    const streams = await kinesisAdapter(local).freshStreams(1);
    const rides = await realRides(600);
    // Ten partition keys; each key's rides are numbered in the order they were written.
    const keyed = rides.map((r, i) => ({ key: `k${i % 10}`, value: JSON.stringify(r), rideId: r.rideId }));
    await putAll(local.client(), streams.input, keyed.slice(0, 300));
    await local.client().send(
      new SplitShardCommand({
        StreamName: streams.input,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await waitForStreamActive(local.client(), streams.input);
    await putAll(local.client(), streams.input, keyed.slice(300));

    const w = track(await wireConsumer(local, { streams, application: unique('dur'), model, chunkSize: 50 }));
    await waitFor(() => new Set(w.published).size >= rides.length, 'a prediction per ride');
    const order = new Map(keyed.map((k, i) => [k.rideId, i]));
    for (let key = 0; key < 10; key++) {
      const seen = [...new Set(w.published)].filter((id) => keyed[order.get(id)!]!.key === `k${key}`);
      expect(seen.map((id) => order.get(id)!)).toEqual(seen.map((id) => order.get(id)!).sort((a, b) => a - b));
    }
    const leases = await w.leases.scan();
    expect(leases.find((l) => l.leaseKey === 'shardId-000000000000')!.checkpoint).toBe(CHECKPOINT.shardEnd);
    expect(leases.filter((l) => l.parentShardIds.includes('shardId-000000000000'))).toHaveLength(2);
  });

  it('shares the shards between two instances, and a graceful stop hands them over at once', async () => {
    const streams = await kinesisAdapter(local).freshStreams(4);
    const application = unique('dur');
    const leaseDurationMs = 4000;
    const a = track(await wireConsumer(local, { streams, application, model, leaseDurationMs }));
    await waitFor(() => a.consumer.heldShards().length === 4, 'the first instance to take every shard');
    const b = track(await wireConsumer(local, { streams, application, model, leaseDurationMs }));
    await waitFor(
      () => a.consumer.heldShards().length === 2 && b.consumer.heldShards().length === 2,
      'the second instance to steal its share',
      30_000,
    );
    const rides = await realRides(1000);
    const out = track(collectStream(local.client(), streams.output));
    await putAll(
      local.client(),
      streams.input,
      rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    );
    await waitFor(() => out.records.length >= rides.length, 'a prediction per ride');
    expect(a.published.length).toBeGreaterThan(0);
    expect(b.published.length).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    await a.stop();
    await waitFor(() => b.consumer.heldShards().length === 4, 'the released shards to move');
    // Released, not expired: the other instance takes them on its next round, well within a lease duration.
    expect(Date.now() - stoppedAt).toBeLessThan(leaseDurationMs);
    expect(out.records).toHaveLength(rides.length);
  });
});
