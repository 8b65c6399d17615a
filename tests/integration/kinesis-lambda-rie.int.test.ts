/**
 * The consumer Lambda under the AWS Lambda runtime interface emulator (built from its Go module on first use):
 * the emulator starts apps/consumer-lambda as the function's process, the test invokes it over HTTP with a Kinesis event
 * made of real stream records, and reads the partial batch response and the output streams.
 */
import { connect, createServer, type AddressInfo } from 'node:net';
import { parseDeadLetterEnvelope } from '@ridestream/kinesis';
import { collectStream, ensureRie, localAwsEnv } from '@ridestream/kinesis-tool';
import { spawnProcess, waitFor } from '@ridestream/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testModelPath } from './conformance';
import {
  eventFromStream,
  kinesisAdapter,
  parsePrediction,
  putAll,
  useLocalKinesis,
} from './conformance-kinesis-adapter';
import { realRides } from './helpers';

const local = useLocalKinesis();
let rie: string;
beforeAll(async () => {
  rie = await ensureRie();
}, 300_000);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** The emulator running our bootstrap; resolves once it accepts invocations. */
async function startFunction(env: Record<string, string>): Promise<string> {
  const [port, apiPort] = [await freePort(), await freePort()];
  const child = spawnProcess(
    rie,
    [
      '--runtime-interface-emulator-address',
      `127.0.0.1:${port}`,
      '--runtime-api-address',
      `127.0.0.1:${apiPort}`,
      '--log-level',
      'error',
      process.execPath,
      'apps/consumer-lambda/src/main.ts',
    ],
    // tsx through NODE_OPTIONS: the emulator would read a `--import` argument as one of its own flags.
    { env: { ...env, NODE_OPTIONS: '--import tsx', LOG_LEVEL: 'warn' } },
  );
  cleanups.push(() => child.stop());
  const url = `http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`;
  // A TCP connect, not an HTTP probe: the emulator would take any request on that path as an invocation.
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  await waitFor(listening, 'the emulator to listen', 30_000);
  return url;
}

describe('consumer Lambda under the runtime interface emulator', () => {
  it('scores a Kinesis event with poison records and answers an empty partial batch response', async () => {
    const streams = await kinesisAdapter(local).freshStreams(1);
    const rides = await realRides(200);
    const poison = ['{"rideId": ', JSON.stringify({ ...rides[0], rideId: 'zone-0', doLocationId: 0 })];
    await putAll(local.client(), streams.input, [
      ...rides.slice(0, 100).map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
      ...poison.map((value, i) => ({ key: `poison-${i}`, value })),
      ...rides.slice(100).map((r) => ({ key: r.rideId, value: JSON.stringify(r) })),
    ]);
    const url = await startFunction({
      ...localAwsEnv(local.endpoints()),
      PREDICTION_KIND: 'duration',
      MODEL_PATH: testModelPath('duration'),
      OUTPUT_STREAM: streams.output,
      DEAD_LETTER_STREAM: streams.dlq,
      FUNCTION_NAME: 'duration-lambda',
    });

    const event = { Records: await eventFromStream(local.client(), streams.input) };
    const res = await fetch(url, { method: 'POST', body: JSON.stringify(event) });
    expect(await res.json()).toEqual({ batchItemFailures: [] });

    const out = collectStream(local.client(), streams.output);
    const dead = collectStream(local.client(), streams.dlq);
    cleanups.push(
      () => out.stop(),
      () => dead.stop(),
    );
    await waitFor(() => out.records.length >= rides.length && dead.records.length >= poison.length, 'all outputs');
    const predictions = out.records.map((r) => parsePrediction(r.data, 'duration'));
    expect(new Set(predictions.map((p) => p.rideId)).size).toBe(rides.length);
    const letters = dead.records.map((r) => parseDeadLetterEnvelope(r.data));
    expect(letters.map((l) => l.headers['x-ridestream-consumer'])).toEqual(['duration-lambda', 'duration-lambda']);
  });
});
