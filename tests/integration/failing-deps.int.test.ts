/**
 * Issue 7, failing dependencies, consumer side (kafkajs): a running duration consumer whose output topic is missing,
 * and one whose broker goes away for a while. The rule under test: nothing is committed that was not published,
 * retriable errors back off and are retried, and the process recovers on its own, without a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PredictionKind } from '@ridestream/features';
import { startPrivateKafka } from '@ridestream/kafka-tool';
import { brokers, collect, freshTopics, testKafka, unique, waitFor, waitForAll } from '@ridestream/testing';
import { Kafka, logLevel, type Admin, type Message } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { metricValue, predictionsOf, produceAll, realRides, startConsumer, type ConsumerUnderTest } from './helpers';
import { captureLogs } from './support/log-capture';
import { expectPredictions } from './support/predictions';

const KIND: PredictionKind = 'duration';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {
      // one failed cleanup must not keep the others (the private broker's stop) from running
    }
  }
});

async function connectedAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  return admin;
}

/** Committed offset per partition of `topic` for `groupId`, in partition order ('-1': nothing committed). */
async function committed(admin: Admin, groupId: string, topic: string): Promise<string[]> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
}

/** The end offset of every partition, in partition order: what a group commits once it has consumed everything. */
async function endOffsets(admin: Admin, topic: string): Promise<string[]> {
  return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => p.high);
}

/** 'running' while a service's `finished` promise has neither resolved nor rejected (a crash would exit 1). */
function watchFinished(finished: Promise<void> | undefined): () => string {
  let state = 'running';
  finished?.then(
    () => (state = 'finished'),
    (err: unknown) => (state = `crashed: ${(err as Error).message}`),
  );
  return () => state;
}

async function send(kafka: Kafka, topic: string, messages: readonly Message[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await produceAll(producer, topic, messages);
  } finally {
    await producer.disconnect();
  }
}

const asMessages = (rides: readonly { rideId: string }[]) =>
  rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) }));

/** The pipeline's own publish retries (`ridestream_publish_retries_total`). */
const publishRetries = (c: ConsumerUnderTest) => metricValue(c.service.registry, 'ridestream_publish_retries_total');
/**
 * Group joins (`ridestream_rebalances_total`, counted on kafkajs' GROUP_JOIN event): 1 for a consumer that never
 * restarted; a kafkajs consumer restart (after a CRASH with restart: true) joins again.
 */
const groupJoins = (c: ConsumerUnderTest) => metricValue(c.service.registry, 'ridestream_rebalances_total');

describe('consumer with a failing dependency', () => {
  it('commits nothing while its output topic is missing, then scores every ride once when it appears', async () => {
    const kafka = testKafka();
    const admin = await connectedAdmin(kafka);
    const [input, dlq] = await freshTopics(kafka, ['rides', 'dlq']);
    // The broker has auto.create.topics.enable=false and the publisher allowAutoTopicCreation: false.
    const output = unique('preds-missing');
    const rides = await realRides(300);
    await send(kafka, input, asMessages(rides));

    const logs = captureLogs('failing-deps');
    const group = unique('duration-consumer');
    const c = await startConsumer(
      KIND,
      {
        KAFKA_BROKERS: brokers().join(','),
        INPUT_TOPIC: input,
        OUTPUT_TOPIC: output,
        DEAD_LETTER_TOPIC: dlq,
        CONSUMER_GROUP: group,
        BATCH_SIZE: '50',
      },
      logs.logger,
    );
    cleanups.push(() => c.service.stop());
    const state = watchFinished(c.service.finished);

    // The pipeline's own publish retries (backoff, heartbeats between them), before kafkajs' consumer would give up.
    await waitFor(
      async () => (await publishRetries(c)) >= 3,
      async () => `the pipeline retrying the publish with backoff (${await publishRetries(c)} retries)`,
      60_000,
    );
    expect(state()).toBe('running');
    expect(await committed(admin, group, input)).toEqual(['-1', '-1', '-1']);
    expect(await admin.listTopics()).not.toContain(output);
    // Not dead-lettered either: a missing output is the consumer's problem, not the rides'.
    expect(await endOffsets(admin, dlq)).toEqual(['0', '0', '0']);
    expect(await c.scored()).toBe(0);
    // The typed error it retried: retriable, with its code (decisions test the code, never the message).
    const first = logs.matching(/publish failed; retrying/)[0];
    expect(first?.['err']).toMatchObject({ code: 'PUBLISH_FAILED', retriable: true });
    // Our backoff holds the batch (with heartbeats): kafkajs never had to crash and restart the consumer.
    expect(await groupJoins(c), 'group joins while the topic is missing').toBe(1);

    const retriesBefore = await publishRetries(c);
    const createdAt = Date.now();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: output, numPartitions: 3 }] });
    const out = await collect(kafka, output);
    cleanups.push(() => out.stop());
    await waitForAll(
      rides.map((r) => r.rideId),
      () => out.keys(),
      `predictions on ${output} once it exists`,
    );
    const recoveredMs = Date.now() - createdAt;
    await waitFor(
      async () => (await committed(admin, group, input)).join() === (await endOffsets(admin, input)).join(),
      'the input offsets committed to the end',
      30_000,
    );

    // Nothing was published before the topic existed, so nothing is published twice.
    expectPredictions(predictionsOf(out.messages, KIND), rides, { repeats: 'none' });
    expect(await c.scored()).toBe(rides.length);
    expect(state()).toBe('running');
    expect(await groupJoins(c), 'group joins').toBe(1);
    console.info(
      `missing output topic: ${retriesBefore} publish retries while missing, 0 commits, 1 group join; ` +
        `${rides.length} rides scored once each ${recoveredMs} ms after the topic was created`,
    );
  });

  it('rides out a broker outage: nothing lost, no process restart', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failing-deps-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const brokerLog: string[] = [];
    const broker = await startPrivateKafka({ cacheDir: join(dir, 'kafka'), log: (m) => brokerLog.push(m) });
    cleanups.push(() => broker.stop());
    const kafka = new Kafka({ clientId: unique('test'), brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const [input, output, dlq] = await freshTopics(kafka, ['rides', 'preds', 'dlq']);
    const rides = await realRides(2000);
    const before = rides.slice(0, 1000);
    const after = rides.slice(1000);
    await send(kafka, input, asMessages(before));

    const logs = captureLogs('failing-deps');
    const group = unique('duration-consumer');
    const c = await startConsumer(
      KIND,
      {
        KAFKA_BROKERS: broker.brokers,
        INPUT_TOPIC: input,
        OUTPUT_TOPIC: output,
        DEAD_LETTER_TOPIC: dlq,
        CONSUMER_GROUP: group,
        BATCH_SIZE: '50',
      },
      logs.logger,
    );
    cleanups.push(() => c.service.stop());
    const state = watchFinished(c.service.finished);
    // Mid-stream: stop the broker as soon as the consumer has published its first chunks.
    await waitFor(async () => (await c.scored()) >= 100, 'the consumer to be scoring', 60_000);

    const downAt = Date.now();
    await broker.stop(); // SIGTERM, as an orchestrator or a rolling restart would
    const scoredAtStop = await c.scored();
    // A bounded outage is the point of this test: 30 s, long past kafkajs' retry budget (5 retries, <= 5 s apart,
    // libs/kafka createKafka), so its consumer "crashes" and, the root cause being retriable, restarts itself (CRASH
    // with restart: true): the service's `finished` does not reject; a CRASH with restart: false would, and
    // runService would exit 1.
    await waitFor(() => Date.now() - downAt >= 30_000, 'a 30 s outage', 90_000, 500);
    expect(state()).toBe('running');
    const joinsBefore = await groupJoins(c);

    await broker.start(); // same port, same data dir
    const upAt = Date.now();
    const outageMs = upAt - downAt;
    await send(kafka, input, asMessages(after));
    const out = await collect(kafka, output);
    cleanups.push(() => out.stop());
    await waitForAll(
      rides.map((r) => r.rideId),
      () => out.keys(),
      `predictions on ${output}, before and after the outage`,
      { timeoutMs: 120_000 },
    ).catch(async (err: unknown) => {
      const tail = logs.lines
        .filter((l) => (l['time'] as number) >= upAt)
        .slice(-40)
        .map((l) => `${(((l['time'] as number) - upAt) / 1000).toFixed(1)} s ${l['level']} ${l['msg']}`);
      throw new Error(
        `${(err as Error).message}: service ${state()}, scored ${await c.scored()}, ` +
          `log since the restart:\n${tail.join('\n')}`,
        { cause: err },
      );
    });
    // About SESSION_TIMEOUT_MS (default 30 s): the coordinator comes back with the group's pre-outage member and
    // waits for its session to expire before the restarted consumer's join completes (measured: ~31 s with 30 s,
    // ~11 s with SESSION_TIMEOUT_MS=10000).
    const recoveredMs = Date.now() - upAt;
    const admin = await connectedAdmin(kafka);
    await waitFor(
      async () => (await committed(admin, group, input)).join() === (await endOffsets(admin, input)).join(),
      'the input offsets committed to the end',
      60_000,
    );

    // At-least-once: at most the chunk in flight per partition when the broker went away is redone (3 x 50), each
    // repeat the same prediction.
    expectPredictions(predictionsOf(out.messages, KIND), rides, { repeats: 150 });
    expect(state()).toBe('running');
    expect(await c.scored()).toBeGreaterThanOrEqual(rides.length);
    // The same consumer rejoined its group once the broker was back (kafkajs restarted it in-process).
    expect(await groupJoins(c), 'group joins after the outage').toBeGreaterThan(joinsBefore);
    const duplicates = predictionsOf(out.messages, KIND).length - rides.length;
    console.info(
      `broker outage: down ${(outageMs / 1000).toFixed(1)} s (${scoredAtStop} of ${before.length} rides scored ` +
        `at the stop); ${await groupJoins(c)} group joins; ${rides.length} rides, none lost, ${duplicates} ` +
        `predictions repeated; every ride ` +
        `scored ${(recoveredMs / 1000).toFixed(1)} s after the broker was back; same process throughout`,
    );
  });
});
