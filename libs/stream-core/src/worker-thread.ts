/**
 * The worker thread of `startScoringWorker`: loads the model once, then scores chunks of raw record values
 * (parse, validate, features, `session.run`, prediction JSON) so that none of it runs on the transport's thread.
 * Protocol (all messages plain data): see `worker-protocol.ts`.
 */
import { FEATURE_SPECS } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { takeUpTo } from '@ridestream/runtime';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { scoreRecords } from './score-records';
import { modelScorer } from './scorer';
import type { SourceRecord } from './records';
import { toWire, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('worker-thread.ts runs only as a worker thread (see startScoringWorker)');
const init = workerData as WorkerInit;

type ScoreMessage = Extract<ToWorker, { type: 'score' }>;

/** Rows per model call at most when queued chunks are merged (a single larger chunk still goes alone). */
const MERGE_UP_TO = 256;

function recordsOf({ data, lengths }: ScoreMessage): SourceRecord[] {
  const records: SourceRecord[] = new Array(lengths.length);
  let offset = 0;
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i]!;
    const value = length < 0 ? null : Buffer.from(data.buffer, data.byteOffset + offset, length);
    if (length > 0) offset += length;
    // Only the value matters to scoring; the caller keeps the real records and matches outcomes by index.
    records[i] = { position: String(i), key: null, value, headers: {}, timestampMs: 0 };
  }
  return records;
}

const send = (m: FromWorker) => port.postMessage(m);

try {
  const model = await createModel({
    path: init.modelPath,
    features: FEATURE_SPECS[init.kind],
    registry: init.registry,
  });
  const scorer = modelScorer(init.kind, model);
  send({ type: 'ready', model: scorer.model });
  // One model call at a time, in arrival order: the model is the only resource, and order keeps replies predictable.
  const waiting: ScoreMessage[] = [];
  let closing = false;
  let busy = false;
  const take = (m: ToWorker) => (m.type === 'close' ? (closing = true) : waiting.push(m));
  const drain = async () => {
    busy = true;
    while (waiting.length > 0) {
      // Chunks already queued on the port join this call. At a light load every partition's fetch is a chunk of a
      // few records, and each model call has a fixed cost (the duration trees: ~80 µs at one row, BENCHMARKS.md
      // section 5); merged, the chunks of one fetch cost one call. Only up to MERGE_UP_TO rows: from there the
      // model's rows/s are flat, and a larger call would only hold back the first chunk's reply.
      for (let r = receiveMessageOnPort(port); r; r = receiveMessageOnPort(port)) take(r.message as ToWorker);
      const group = takeUpTo(waiting, (m) => m.lengths.length, MERGE_UP_TO);
      const records = group.length === 1 ? recordsOf(group[0]!) : group.flatMap(recordsOf);
      const outcomes = await scoreRecords(records, scorer);
      let from = 0;
      for (const m of group) {
        const to = from + m.lengths.length;
        send({ type: 'scored', id: m.id, outcomes: outcomes.slice(from, to).map(toWire) });
        from = to;
      }
    }
    busy = false;
    if (closing) {
      await model.dispose();
      port.close();
    }
  };
  port.on('message', (m: ToWorker) => {
    take(m);
    if (!busy) void drain();
  });
} catch (err) {
  const e = err as { code?: string; message?: string };
  send({ type: 'failed', error: { code: e.code ?? 'MODEL_LOAD_FAILED', message: e.message ?? String(err) } });
}
