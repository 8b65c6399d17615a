/**
 * The Lambda handler against the local Kinesis: the event is built from records really read from a stream, in the
 * shape the Lambda event source mapping delivers (base64 data, seconds-with-fraction arrival time, eventID
 * `<shard>:<sequence>`, the stream ARN), and the predictions really go to an output stream.
 */
import { FEATURE_SPECS, type RideEvent } from '@ridestream/features';
import { createKinesisLambdaHandler, createKinesisPublisher, parseDeadLetterEnvelope } from '@ridestream/kinesis';
import { collectStream } from '@ridestream/kinesis-tool';
import { createModel, type Model } from '@ridestream/model';
import { silentLogger } from '@ridestream/runtime';
import { predictorScorer } from '@ridestream/stream-core';
import { waitFor } from '@ridestream/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testModelPath } from './conformance';
import {
  eventFromStream,
  kinesisAdapter,
  parsePrediction,
  putAll,
  useLocalKinesis,
} from './conformance-kinesis-adapter';
import { realCleanRides } from './helpers';

const local = useLocalKinesis();
let model: Model;
beforeAll(async () => {
  model = await createModel({ path: testModelPath('tip'), features: FEATURE_SPECS.tip });
});
afterAll(() => model.dispose());
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function handlerFor(outputStream: string, deadLetterStream: string, failNextPredict = { count: 0 }) {
  const publisher = createKinesisPublisher(local.client(), { logger: silentLogger() });
  return createKinesisLambdaHandler({
    scorer: predictorScorer({
      kind: 'tip',
      model: { name: model.info.name, version: model.info.version },
      predict: async (f, n) => {
        if (failNextPredict.count-- > 0) throw Object.assign(new Error('model busy'), { retriable: true });
        return model.predict(f, n);
      },
    }),
    publisher,
    outputStream,
    deadLetterStream,
    consumerName: 'tip-lambda',
    logger: silentLogger(),
  });
}

describe('Kinesis Lambda handler', () => {
  it('scores a batch with poison records: predictions out, poison dead-lettered, no item failure', async () => {
    const streams = await kinesisAdapter(local).freshStreams(1);
    const clean = await realCleanRides(300);
    const rides = clean.map((r) => r.completed);
    const poison = ['{"rideId": ', JSON.stringify({ ...rides[0], rideId: 'neg-fare', fareAmount: -3 })];
    // A ride.started among them: valid, of another type, so neither a prediction nor a dead letter.
    const started = clean[0]!.started;
    await putAll(local.client(), streams.input, [
      ...rides.slice(0, 150).map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
      ...poison.map((value, i) => ({ key: `poison-${i}`, value })),
      { key: started.rideId, value: JSON.stringify(started) },
      ...rides.slice(150).map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    ]);
    const records = await eventFromStream(local.client(), streams.input);
    expect(records).toHaveLength(rides.length + poison.length + 1);

    const res = await handlerFor(streams.output, streams.dlq)(
      { Records: records },
      { getRemainingTimeInMillis: () => 60_000 },
    );
    expect(res).toEqual({ batchItemFailures: [] });

    const out = collectStream(local.client(), streams.output);
    const dead = collectStream(local.client(), streams.dlq);
    cleanups.push(
      () => out.stop(),
      () => dead.stop(),
    );
    await waitFor(() => out.records.length >= rides.length && dead.records.length >= poison.length, 'all outputs');
    const predictions = out.records.map((r) => parsePrediction(r.data, 'tip'));
    expect(new Set(predictions.map((p) => p.rideId))).toEqual(new Set(rides.map((r: RideEvent) => r.rideId)));
    expect(predictions).toHaveLength(rides.length);
    expect(predictions.every((p) => p.event.type === 'ride.completed')).toBe(true);
    const letters = dead.records.map((r) => parseDeadLetterEnvelope(r.data));
    expect(letters.map((l) => l.original.toString()).sort()).toEqual([...poison].sort());
    expect(letters.map((l) => l.headers['x-ridestream-error-code']).sort()).toEqual(['INVALID_EVENT', 'INVALID_JSON']);
    expect(letters.every((l) => l.headers['x-ridestream-source-topic'] === streams.input)).toBe(true);
  });

  it('reports the first transiently failed record, and the retried remainder publishes each ride once', async () => {
    const streams = await kinesisAdapter(local).freshStreams(1);
    const rides = (await realCleanRides(100)).map((r) => r.completed);
    await putAll(local.client(), streams.input, [
      { key: 'poison', value: 'not json' },
      ...rides.map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    ]);
    const records = await eventFromStream(local.client(), streams.input);
    const handler = handlerFor(streams.output, streams.dlq, { count: 1 });

    const first = await handler({ Records: records });
    // The poison record is handled (dead-lettered); the retry starts at the first ride.
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.kinesis.sequenceNumber }]);
    // What Lambda does next: invoke again with the records from the failed one on.
    const second = await handler({ Records: records.slice(1) });
    expect(second.batchItemFailures).toEqual([]);

    const out = collectStream(local.client(), streams.output);
    const dead = collectStream(local.client(), streams.dlq);
    cleanups.push(
      () => out.stop(),
      () => dead.stop(),
    );
    await waitFor(() => out.records.length >= rides.length && dead.records.length >= 1, 'all outputs');
    expect(out.records).toHaveLength(rides.length);
    expect(dead.records).toHaveLength(1);
  });
});
