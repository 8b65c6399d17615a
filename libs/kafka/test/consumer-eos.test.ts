import type { PipelineOptions } from '@ridestream/stream-core';
import { skippingScorer, testPipeline } from '@ridestream/stream-core/testing';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { runKafkaConsumer, type KafkaRunnerOptions } from '../src/consumer';
import type { ConsumedOffset, TransactionalPublisher } from '../src/transactional';

/** A kafkajs consumer that hands the test its `eachBatch` and its GROUP_JOIN listener. */
function fakeConsumer() {
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  const joins: (() => void)[] = [];
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, fn: () => void) => {
      if (event === 'consumer.group_join') joins.push(fn);
      return () => {};
    },
    subscribe: async () => {},
    run: async (o: { eachBatch: (p: EachBatchPayload) => Promise<void> }) => {
      eachBatch = o.eachBatch;
    },
  } as unknown as Consumer;
  return { consumer, eachBatch: () => eachBatch!, join: () => joins.forEach((fn) => fn()) };
}

const message = (offset: number): KafkaMessage =>
  ({ offset: String(offset), key: null, value: Buffer.from('{}'), headers: {}, timestamp: '0' }) as KafkaMessage;

/** A batch of partition 0 at `offsets`, recording what the runner resolves. */
function batchOf(offsets: readonly number[], resolved: string[]): EachBatchPayload {
  return {
    batch: { topic: 'rides', partition: 0, messages: offsets.map(message), offsetLag: () => '0' },
    resolveOffset: (o: string) => void resolved.push(o),
    heartbeat: async () => {},
    commitOffsetsIfNecessary: async () => {},
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** A pipeline whose scorer skips every record and notes its position in `scored`; exactly-once never calls `publish`. */
function skippingPipeline(scored: string[], over: Partial<PipelineOptions> = {}): PipelineOptions {
  return testPipeline({
    scorer: skippingScorer((records) => scored.push(...records.map((r) => r.position))),
    publish: async () => {
      throw new Error('exactly-once publishes through the transaction');
    },
    ...over,
  });
}

/** The runner on a fake consumer, exactly-once, one partition at a time, with the test's producers and offsets. */
const runExactlyOnce = (
  consumer: Consumer,
  pipeline: PipelineOptions,
  exactlyOnce: Omit<NonNullable<KafkaRunnerOptions['exactlyOnce']>, 'groupId'>,
) =>
  runKafkaConsumer({
    consumer,
    pipeline,
    inputTopic: 'rides',
    chunkSize: 500,
    partitionsConsumedConcurrently: 1,
    exactlyOnce: { groupId: 'g', ...exactlyOnce },
  });

describe('runKafkaConsumer, exactly-once', () => {
  it('after each join, fences with a fresh producer, reads the committed offset again and skips what lies below', async () => {
    const scored: string[] = [];
    const pipeline = skippingPipeline(scored);
    const committedOffsets: (ConsumedOffset | null)[] = [];
    const tx = {
      sendWithOffsets: async (_: unknown, consumed: ConsumedOffset | null) => void committedOffsets.push(consumed),
    } as unknown as TransactionalPublisher;
    const producers: boolean[] = [];
    const offsetReads: number[] = [];
    // What the group has committed: the previous owner's last transaction went through offset 104.
    let committed: string | null = '105';
    const fake = fakeConsumer();
    await runExactlyOnce(fake.consumer, pipeline, {
      producerFor: async (_topic, _partition, fresh = false) => {
        producers.push(fresh);
        return tx;
      },
      committedOffset: async (_topic, partition) => {
        offsetReads.push(partition);
        return committed;
      },
    });

    // kafkajs fetched from a stale offset (100): 100-104 were published by that committed transaction.
    const resolved: string[] = [];
    await fake.eachBatch()(batchOf(range(100, 110), resolved));
    expect(scored).toEqual(['105', '106', '107', '108', '109']);
    expect(resolved).toEqual(['104', '109']);
    expect(committedOffsets.map((c) => c?.offset)).toEqual(['110']);

    // The next batch of the same generation: no new producer, no new offset read.
    await fake.eachBatch()(batchOf(range(110, 112), resolved));
    expect(offsetReads).toHaveLength(1);
    expect(producers).toEqual([true, false]);

    // A rejoin (a rebalance, a broker restart) settles the partition again.
    committed = '112';
    fake.join();
    scored.length = 0;
    await fake.eachBatch()(batchOf(range(110, 114), resolved));
    expect(producers).toEqual([true, false, true]);
    expect(offsetReads).toHaveLength(2);
    expect(scored).toEqual(['112', '113']);
  });

  it('does not publish a chunk again when its failed transaction did commit, and does when it did not', async () => {
    const pipeline = skippingPipeline([], { publishRetry: { retries: 2, initialMs: 1, maxMs: 1 } });
    // The broker's view: the offset the group has committed, moved by the transactions that went through.
    let committed: string | null = null;
    const sent: (string | undefined)[] = [];
    // The first transaction reaches the coordinator and commits, but its answer is lost.
    let loseNextAnswer = true;
    const tx = {
      sendWithOffsets: async (_: unknown, consumed: ConsumedOffset | null) => {
        sent.push(consumed?.offset);
        committed = consumed?.offset ?? committed;
        if (loseNextAnswer) {
          loseNextAnswer = false;
          throw Object.assign(new Error('NOT_COORDINATOR'), { retriable: true });
        }
      },
    } as unknown as TransactionalPublisher;
    const fresh: boolean[] = [];
    const fake = fakeConsumer();
    await runExactlyOnce(fake.consumer, pipeline, {
      producerFor: async (_topic, _partition, isFresh = false) => {
        fresh.push(isFresh);
        return tx;
      },
      committedOffset: async () => committed,
    });

    await fake.eachBatch()(batchOf(range(0, 10), []));
    // One transaction for offsets 0-9; the retry found it committed (a fresh producer first) and sent nothing.
    expect(sent).toEqual(['10']);
    expect(fresh).toEqual([true, true]);

    // Now a transaction that fails before it commits: the retry publishes it.
    const failOnce = tx.sendWithOffsets;
    let failed = false;
    (tx as { sendWithOffsets: unknown }).sendWithOffsets = async (m: unknown, consumed: ConsumedOffset | null) => {
      if (!failed) {
        failed = true;
        sent.push(`lost ${consumed?.offset}`);
        throw Object.assign(new Error('broker down'), { retriable: true });
      }
      return failOnce(m as never, consumed);
    };
    await fake.eachBatch()(batchOf(range(10, 12), []));
    expect(sent).toEqual(['10', 'lost 12', '12']);
  });
});
