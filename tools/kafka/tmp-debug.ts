import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
const brokers = process.argv[2]!;
const kafka = new Kafka({ clientId: 'dbg', brokers: [brokers], logLevel: logLevel.INFO });
const t0 = Date.now(); const t = (m: string) => console.log(`${Date.now() - t0} ms ${m}`);
const admin = kafka.admin(); await admin.connect();
const topic = `dbg-${randomUUID()}`;
await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: false });
for (;;) { try { const m = await admin.fetchTopicMetadata({ topics: [topic] }); if (m.topics[0]!.partitions.every(p => p.leader >= 0)) break; } catch {} await new Promise(r => setTimeout(r, 50)); }
t('topic ready');
const p = kafka.producer({ transactionalId: `dbg-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
await p.connect(); t('tx producer connected');
const a = await p.transaction(); t('tx begun');
await a.send({ topic, messages: [{ value: 'c1' }] }); t('sent');
await a.commit(); t('committed');
const b = await p.transaction(); await b.send({ topic, messages: [{ value: 'a1' }] }); t('sent2'); await b.abort(); t('aborted');
const c = await p.transaction(); await c.send({ topic, messages: [{ value: 'c3' }] }); t('sent3'); await c.commit(); t('committed3');
await p.disconnect(); await admin.disconnect();
