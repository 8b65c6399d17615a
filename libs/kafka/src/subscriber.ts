import { predictionSchema, toFieldIssues, type FieldIssue, type Prediction } from '@ridestream/features';
import { createKafka, type KafkaConnection } from './client';
import { once, type Lifecycle, type Logger } from '@ridestream/runtime';

export interface PredictionMeta {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface SubscribeOptions {
  readonly connection: KafkaConnection;
  /** `ride-duration-predictions` or `tip-predictions`. */
  readonly topic: string;
  /** Your own group: each app team reads every prediction at its own pace. */
  readonly groupId: string;
  readonly fromBeginning?: boolean;
  readonly logger: Logger;
  /** Called for each valid prediction, in partition order; the offset is committed after it resolves. */
  readonly onPrediction: (prediction: Prediction, meta: PredictionMeta) => Promise<void> | void;
  /** Called for a message that is not a valid prediction (it is skipped, never passed on). */
  readonly onInvalid?: (issues: readonly FieldIssue[], meta: PredictionMeta) => void;
}

/**
 * Subscribes to a prediction stream and hands over validated, typed predictions.
 * At-least-once: after a crash a prediction may come again; drop repeats by `predictionId`.
 *
 * @example
 * const sub = subscribePredictions({ connection, topic: 'tip-predictions', groupId: 'driver-app', logger,
 *   onPrediction: (p) => ui.showTip(p.rideId, p.value) });
 * await sub.start();
 */
export function subscribePredictions(o: SubscribeOptions): Lifecycle {
  const kafka = createKafka(o.connection, o.logger);
  const consumer = kafka.consumer({ groupId: o.groupId, allowAutoTopicCreation: false });
  return {
    start: once(async () => {
      await consumer.connect();
      await consumer.subscribe({ topic: o.topic, fromBeginning: o.fromBeginning ?? false });
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const meta = { topic, partition, offset: message.offset };
          let value: unknown;
          try {
            value = JSON.parse(message.value?.toString('utf8') ?? '');
          } catch {
            o.onInvalid?.([{ path: '(root)', message: 'not JSON' }], meta);
            return;
          }
          const parsed = predictionSchema.safeParse(value);
          if (!parsed.success) {
            o.onInvalid?.(toFieldIssues(parsed.error), meta);
            return;
          }
          await o.onPrediction(parsed.data, meta);
        },
      });
    }),
    stop: once(() => consumer.disconnect()),
  };
}
