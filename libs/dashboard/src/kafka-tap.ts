/**
 * The dashboard's reader on Kafka: one kafkajs consumer, in a group of its own (so it moves no one's offsets and
 * sees every partition), on the rides, prediction and dead-letter topics. It only counts and shows, so it never
 * commits anything that matters: a restart reads from now (or from the beginning) again.
 */
import { once, type Logger } from '@ridestream/runtime';
import { createKafka, type KafkaConnection } from '@ridestream/kafka';
import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { roleByStream, type StreamTap, type TapOptions } from './taps';

export interface KafkaTapOptions extends TapOptions {
  readonly connection: KafkaConnection;
  readonly logger: Logger;
  /** Defaults to `dashboard-<uuid>`. */
  readonly groupId?: string;
}

function headersOf(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

/**
 * @example
 * const tap = openKafkaTap({ connection, logger, streams, fromBeginning: false, onRecords, onError });
 * await tap.start();
 */
export function openKafkaTap(o: KafkaTapOptions): StreamTap {
  const kafka = createKafka(o.connection, o.logger);
  // A short fetch wait: the page is live, and kafkajs' default 5 s would also make every disconnect wait that long.
  const consumer = kafka.consumer({
    groupId: o.groupId ?? `dashboard-${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
  });
  const roles = roleByStream(o.streams);
  consumer.on(consumer.events.CRASH, (e) => {
    // kafkajs restarts by itself after retriable errors; `restart: false` means it gave up.
    if (!e.payload.restart) o.onError(e.payload.error);
  });
  return {
    start: once(async () => {
      await consumer.connect();
      const live = [...roles].filter(([, role]) => role !== 'metrics').map(([topic]) => topic);
      await consumer.subscribe({ topics: live, fromBeginning: o.fromBeginning });
      // The monitor's windows are few and each closes once, hours of event time apart: a page opened later still
      // wants the ones that closed before, so they are read from the start whatever `fromBeginning` says.
      if (o.streams.metrics) await consumer.subscribe({ topics: [o.streams.metrics], fromBeginning: true });
      await consumer.run({
        // Nothing to resume from: a group that never commits leaves no offsets behind on the broker.
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const role = roles.get(batch.topic);
          if (!role) return;
          o.onRecords(
            role,
            batch.messages.map((m) => ({ value: m.value ?? new Uint8Array(), headers: headersOf(m.headers) })),
          );
        },
      });
    }),
    stop: once(() => consumer.disconnect()),
  };
}
