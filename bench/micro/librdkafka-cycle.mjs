/**
 * The consume -> produce -> commit cycle on kafkajs and on librdkafka's native API, outside the bench, on one
 * prefilled topic: what a third Kafka client (a librdkafka binding) would save. @confluentinc/kafka-javascript is
 * not a dependency (a native build of 77 s here), so it is installed beside the repo for this script only:
 *
 *   CKJS_LINKING=dynamic npm install --no-save --prefix .cache/librdkafka @confluentinc/kafka-javascript@1.10.1
 *   BROKERS=127.0.0.1:9092 TOPIC=cycle-in N=300000 node bench/micro/librdkafka-cycle.mjs prefill
 *   BROKERS=... TOPIC=cycle-in OUT=cycle-out N=300000 node bench/micro/librdkafka-cycle.mjs <mode>
 *
 * Modes, each draining the N records once with a fresh group and printing one JSON line (CPU is the whole
 * process's, librdkafka's threads included):
 * - kafkajs-pass: eachBatch in chunks of 500 -> sendBatch (idempotent, acks=all) -> commit: our consumers' cycle;
 * - native-drain: consume(500) only;
 * - native-pass: consume(500) -> produce each record with a promise per delivery report -> commitSync;
 * - native-flush: consume(500) -> produce each -> flush -> commitSync (delivery reports only count failures).
 * Results and what they say: BENCHMARKS.md, "What the numbers say".
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import kafkajs from 'kafkajs';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The binding, from where the install line above puts it (a CommonJS module: its exports are the default). */
const loadLibrdkafka = async () =>
  (
    await import(
      pathToFileURL(join(root, '.cache/librdkafka/node_modules/@confluentinc/kafka-javascript/lib/index.js'))
    )
  ).default;
const mode = process.argv[2];
const brokers = process.env.BROKERS;
const topic = process.env.TOPIC;
const out = process.env.OUT;
const total = Number(process.env.N);
const cpu0 = process.cpuUsage();
let n = 0;
let t0 = 0;

function report() {
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecPer100k = ((cpu.user + cpu.system) / 1e6 / n) * 1e5;
  const rssMB = Math.round(process.memoryUsage().rss / 1e6);
  console.log(
    JSON.stringify({ mode, n, perSec: Math.round(n / seconds), cpuSecPer100k: +cpuSecPer100k.toFixed(2), rssMB }),
  );
  process.exit(0);
}

async function prefill() {
  const { Kafka, logLevel } = kafkajs;
  const kafka = new Kafka({ brokers: [brokers], clientId: 'prefill', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  // About the size of a ride.started event.
  const value = JSON.stringify({ type: 'ride.started', rideId: 'x'.repeat(36), pad: 'y'.repeat(250) });
  for (let i = 0; i < total; i += 5000) {
    const messages = Array.from({ length: 5000 }, (_, j) => ({ key: String(i + j), value }));
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
  console.log(`prefilled ${total} records on ${topic}`);
}

async function kafkajsPass() {
  const { Kafka, logLevel, Partitioners } = kafkajs;
  const kafka = new Kafka({ brokers: [brokers], clientId: 'cycle', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `cycle-${mode}-${Date.now()}`, maxBytesPerPartition: 256 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset }) => {
      t0 ||= performance.now();
      for (let i = 0; i < batch.messages.length; i += 500) {
        const chunk = batch.messages.slice(i, i + 500);
        const messages = chunk.map((m) => ({ key: m.key, value: m.value }));
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic: out, messages }] });
        const last = chunk[chunk.length - 1].offset;
        resolveOffset(last);
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(BigInt(last) + 1n) }]);
        n += chunk.length;
      }
      if (n >= total) report();
    },
  });
}

async function native() {
  const Kafka = await loadLibrdkafka();
  const consumer = new Kafka.KafkaConsumer(
    {
      'bootstrap.servers': brokers,
      'group.id': `cycle-${mode}-${Date.now()}`,
      'enable.auto.commit': false,
      'fetch.wait.max.ms': 100,
      // Without a callback that assigns, the group stays in wait-assign-call and nothing is fetched.
      rebalance_cb: (err, assignment) =>
        err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS ? consumer.assign(assignment) : consumer.unassign(),
    },
    // A topic setting in this binding: given with the global ones it is ignored, and the group starts at the end.
    { 'auto.offset.reset': 'earliest' },
  );
  const producing = mode !== 'native-drain';
  const producer =
    producing &&
    new Kafka.Producer({
      'bootstrap.servers': brokers,
      'enable.idempotence': true,
      acks: 'all',
      'linger.ms': 1,
      dr_cb: true,
    });
  const deliveries = new Map();
  let failed = 0;
  let seq = 0;
  if (producer) {
    producer.setPollInterval(5);
    producer.on('delivery-report', (err, r) => {
      if (err) failed++;
      deliveries.get(r.opaque)?.(err);
    });
  }
  const publish = async (messages) => {
    if (mode === 'native-pass') {
      const acked = (m) =>
        new Promise((resolve, reject) => {
          const id = ++seq;
          deliveries.set(id, (err) => (deliveries.delete(id), err ? reject(err) : resolve()));
          producer.produce(out, null, m.value, m.key, Date.now(), id);
        });
      await Promise.all(messages.map(acked));
    } else {
      for (const m of messages) producer.produce(out, null, m.value, m.key);
      await new Promise((resolve, reject) => producer.flush(10_000, (err) => (err ? reject(err) : resolve())));
      if (failed > 0) throw new Error(`${failed} deliveries failed`);
    }
    const last = new Map();
    for (const m of messages) last.set(m.partition, m.offset);
    consumer.commitSync([...last].map(([partition, offset]) => ({ topic, partition, offset: offset + 1 })));
  };
  const loop = () =>
    consumer.consume(500, async (err, messages) => {
      if (err) throw err;
      if (messages.length > 0) {
        t0 ||= performance.now();
        if (producing) await publish(messages);
        n += messages.length;
        if (n >= total) return report();
      }
      setImmediate(loop);
    });
  const ready = (client) => new Promise((resolve) => client.once('ready', resolve));
  const clients = producer ? [consumer, producer] : [consumer];
  const readies = clients.map(ready);
  for (const c of clients) c.connect();
  Promise.all(readies).then(() => {
    consumer.subscribe([topic]);
    loop();
  });
}

const run = { prefill, 'kafkajs-pass': kafkajsPass }[mode] ?? native;
Promise.resolve(run()).catch((err) => {
  console.error(err);
  process.exit(1);
});
