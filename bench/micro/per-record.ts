/**
 * What each record costs outside the model, stage by stage, on real rides in this process (no Kafka, no thread):
 *
 *   npx tsx bench/micro/per-record.ts [--seconds 0.3]
 *
 * Each stage runs over the same 500-record chunk for `seconds` of CPU time, best of 5 repeats (other work on a shared box only
 * ever adds time), and is printed as microseconds per record. Stages are cumulative where the pipeline is
 * (`scoreRecords` includes decode, validation, features and the prediction JSON), separate where they can be cut
 * out (the hand-over to the worker, the per-record metrics).
 */
import {
  FEATURE_SPECS,
  makePrediction,
  parseRideEvent,
  predictionId,
  predictionSerializer,
  rideEventSchema,
  validateRideEvent,
} from '@ridestream/features';
import {
  createConsumerMetrics,
  planBatch,
  planMessages,
  scoreRecords,
  type SourceRecord,
} from '@ridestream/stream-core';
import { Registry } from 'prom-client';
import { loadRides } from '../src/rides';

const at = process.argv.indexOf('--seconds');
const seconds = at > 0 ? Number(process.argv[at + 1]) : 0.3;
const CHUNK = 500;

/** CPU time, not wall time: on a shared box a preempted run would otherwise count another process's work. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function usPerRecord(job: () => unknown): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t0 = cpuMs();
    while (cpuMs() - t0 < seconds * 1000) {
      await job();
      n++;
    }
    best = Math.min(best, ((cpuMs() - t0) * 1000) / (n * CHUNK));
  }
  return best;
}

const rides = (await loadRides()).slice(0, CHUNK).map((r) => r.started);
const records: SourceRecord[] = rides.map((ride, i) => ({
  position: String(i),
  key: ride.rideId,
  value: Buffer.from(JSON.stringify(ride)),
  headers: {},
  timestampMs: Date.now(),
}));
const texts = records.map((r) => r.value!.toString('utf8'));
const objects = texts.map((t) => JSON.parse(t) as unknown);
const spec = FEATURE_SPECS.duration;
const model = { name: 'ride-duration', version: '12' };
const predictor = {
  kind: 'duration' as const,
  model,
  predict: async (_f: Float32Array, n: number) => new Float32Array(n).fill(12.5),
};
const utf8 = new TextDecoder();
const scoredAt = new Date();
const outcomes = await scoreRecords(records, predictor);
// What the worker posts back per record (worker-protocol.ts's tuples): the payload string dominates the clone.
const wire = outcomes.map((o) => (o.status === 'scored' ? [0, o.rideId, o.value, o.payload] : [3, o.status]));
const metrics = createConsumerMetrics(new Registry());
const plan = planBatch(outcomes);
const options = { outputStream: 'out', deadLetterStream: 'dlq', consumerName: 'bench', scorer: { model } };
const source = { stream: 'in', partition: '0' };

const stages: [string, () => unknown][] = [
  ['utf8 decode', () => records.forEach((r) => utf8.decode(r.value!))],
  ['JSON.parse', () => texts.forEach((t) => JSON.parse(t))],
  ['validate: the zod schema alone', () => objects.forEach((o) => rideEventSchema.safeParse(o))],
  ['validate: validateRideEvent', () => objects.forEach((o) => validateRideEvent(o))],
  ['parseRideEvent (decode + parse + validate)', () => records.forEach((r) => parseRideEvent(r.value))],
  [
    'features (14 floats)',
    () => {
      const out = new Float32Array(CHUNK * spec.count);
      rides.forEach((e, i) => spec.write(e, out, i));
    },
  ],
  ['predictionId (sha256)', () => rides.forEach((e) => predictionId('duration', model, e.eventId))],
  [
    'makePrediction + JSON.stringify',
    () =>
      rides.forEach((event) =>
        JSON.stringify(makePrediction({ kind: 'duration', model, event, value: 12.5, scoredAt })),
      ),
  ],
  [
    'predictionSerializer',
    () => {
      const toJson = predictionSerializer('duration', model, scoredAt);
      rides.forEach((event) => toJson(event, 12.5));
    },
  ],
  ['scoreRecords, constant model (all of the above)', () => scoreRecords(records, predictor)],
  ['structuredClone of the outcomes the worker posts back', () => structuredClone(wire)],
  ['planBatch + planMessages', () => planMessages(planBatch(outcomes), options, source, scoredAt)],
  [
    'metrics: histogram observe per record',
    () => {
      for (const s of plan.scored) metrics.endToEndSeconds.observe((Date.now() - s.record.timestampMs) / 1000);
    },
  ],
  ['metrics: labelled counter inc per chunk', () => metrics.records.inc({ outcome: 'scored' }, CHUNK)],
];

const width = Math.max(...stages.map(([name]) => name.length));
for (const [name, job] of stages) {
  const us = await usPerRecord(job);
  console.log(`${name.padEnd(width)}  ${us.toFixed(3).padStart(8)} us/record`);
}
