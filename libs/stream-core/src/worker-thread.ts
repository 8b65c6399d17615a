/**
 * The worker thread of `startScoringWorker`: loads the model once, then scores chunks of raw record values
 * (parse, validate, features, `session.run`, prediction JSON) so that none of it runs on the transport's thread.
 * Protocol (all messages plain data): see `worker-protocol.ts`.
 */
import { FEATURE_SPECS } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { parentPort, workerData } from 'node:worker_threads';
import { scoreRecords } from './score-records';
import { modelScorer } from './scorer';
import type { SourceRecord } from './records';
import { toWire, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('worker-thread.ts runs only as a worker thread (see startScoringWorker)');
const init = workerData as WorkerInit;

function recordsOf(data: Uint8Array, lengths: Int32Array): SourceRecord[] {
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
  // One chunk at a time, in arrival order: the model is the only resource, and order keeps replies predictable.
  let queue = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      queue = queue.then(async () => {
        await model.dispose();
        port.close();
      });
      return;
    }
    queue = queue.then(async () => {
      const outcomes = await scoreRecords(recordsOf(m.data, m.lengths), scorer);
      send({ type: 'scored', id: m.id, outcomes: outcomes.map(toWire) });
    });
  });
} catch (err) {
  const e = err as { code?: string; message?: string };
  send({ type: 'failed', error: { code: e.code ?? 'MODEL_LOAD_FAILED', message: e.message ?? String(err) } });
}
