/**
 * Section 1b: the broker's ceiling on this box, measured by Apache Kafka's own tools from the kafka-tools jar
 * (the same Maven jars as the local broker): ProducerPerformance (acks=all, records of the rides' mean size),
 * ConsumerPerformance on what it wrote, and EndToEndLatency (one record at a time, produce -> consume).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fetchKafka } from '@ridestream/kafka-tool';
import { createTopics, deleteTopics, uniqueName, type BenchKafka } from '../kafka';
import { say } from '../log';
import { KAFKA_LIB, TMP_DIR } from '../paths';
import { runToEnd } from '../procs';

export interface KafkaToolsResult {
  readonly producer?: {
    readonly records: number;
    readonly recordsPerSec: number;
    readonly mbPerSec: number;
    readonly latencyMs: { avg: number; p50: number; p95: number; p99: number };
    readonly cpuSecondsPer100k?: number;
  };
  readonly consumer?: {
    readonly records: number;
    readonly recordsPerSec: number;
    /** Excluding the group join (fetch time only). */
    readonly fetchRecordsPerSec: number;
    readonly mbPerSec: number;
    readonly cpuSecondsPer100k?: number;
  };
  readonly endToEnd?: {
    readonly records: number;
    readonly avgMs: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
  };
  readonly errors: string[];
}

const JAVA_OPTS = ['-Xmx512m', '-XX:+UseG1GC', '-XX:TieredStopAtLevel=1'];

function java(name: string, mainClass: string, args: readonly string[], timeoutMs = 180_000) {
  return runToEnd(
    name,
    'java',
    [...JAVA_OPTS, '-cp', `${KAFKA_LIB}/*`, `org.apache.kafka.tools.${mainClass}`, ...args],
    timeoutMs,
  );
}

export async function runKafkaTools(
  bench: BenchKafka,
  o: { records: number; e2eRecords: number; recordSize: number; ridesFile: string },
): Promise<KafkaToolsResult> {
  if (!existsSync(KAFKA_LIB)) await fetchKafka();
  const errors: string[] = [];
  const topic = uniqueName('perf');
  const e2eTopic = uniqueName('perf-e2e');
  await createTopics(bench, [topic]);
  await createTopics(bench, [e2eTopic], 1);
  const result: { -readonly [K in keyof KafkaToolsResult]: KafkaToolsResult[K] } = { errors };
  try {
    // Real ride JSON as payloads (one per line), so record sizes match the stream's.
    const p = await java('kafka-producer-perf', 'ProducerPerformance', [
      '--bootstrap-server',
      bench.brokers,
      '--topic',
      topic,
      '--num-records',
      String(o.records),
      '--throughput',
      '-1',
      '--payload-file',
      o.ridesFile,
      '--command-property',
      'acks=all',
    ]);
    const m =
      /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
        p.stdout,
      );
    if (m) {
      result.producer = {
        records: Number(m[1]),
        recordsPerSec: Number(m[2]),
        mbPerSec: Number(m[3]),
        latencyMs: { avg: Number(m[4]), p50: Number(m[5]), p95: Number(m[6]), p99: Number(m[7]) },
        cpuSecondsPer100k: p.cpuSeconds === undefined ? undefined : (p.cpuSeconds / o.records) * 100_000,
      };
      say(`  ProducerPerformance: ${Math.round(result.producer.recordsPerSec)} records/s (acks=all)`);
    } else errors.push(`ProducerPerformance: no summary line (exit ${p.code})`);

    const c = await java('kafka-consumer-perf', 'ConsumerPerformance', [
      '--bootstrap-server',
      bench.brokers,
      '--topic',
      topic,
      '--num-records',
      String(o.records),
      '--timeout',
      '60000',
    ]);
    // start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    const line = c.stdout
      .split('\n')
      .find((l) => /^\d{4}-\d\d-\d\d/.test(l))
      ?.split(',')
      .map((x) => x.trim());
    if (line && line.length >= 10) {
      result.consumer = {
        records: Number(line[4]),
        recordsPerSec: Number(line[5]),
        fetchRecordsPerSec: Number(line[9]),
        mbPerSec: Number(line[3]),
        cpuSecondsPer100k: c.cpuSeconds === undefined ? undefined : (c.cpuSeconds / o.records) * 100_000,
      };
      say(`  ConsumerPerformance: ${Math.round(result.consumer.fetchRecordsPerSec)} records/s (fetch time)`);
    } else errors.push(`ConsumerPerformance: no result line (exit ${c.code})`);

    const e = await java('kafka-e2e-latency', 'EndToEndLatency', [
      bench.brokers,
      e2eTopic,
      String(o.e2eRecords),
      'all',
      String(o.recordSize),
    ]);
    const avg = /Avg latency: ([\d.]+) ms/.exec(e.stdout);
    const pct = /Percentiles: 50th = (\d+), 99th = (\d+)/.exec(e.stdout);
    if (avg && pct) {
      result.endToEnd = { records: o.e2eRecords, avgMs: Number(avg[1]), p50Ms: Number(pct[1]), p99Ms: Number(pct[2]) };
      say(`  EndToEndLatency: p50 ${pct[1]} ms, p99 ${pct[2]} ms (one record at a time)`);
    } else errors.push(`EndToEndLatency: no summary (exit ${e.code})`);
  } finally {
    await deleteTopics(bench, [topic, e2eTopic]);
  }
  return result;
}

/** Writes ride JSON lines for --payload-file (ProducerPerformance picks among them at random). */
export function writeRidesFile(values: readonly Buffer[]): string {
  const path = `${TMP_DIR}/rides.jsonl`;
  writeFileSync(path, values.map((v) => v.toString('utf8')).join('\n') + '\n');
  return path;
}
