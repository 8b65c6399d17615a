import { makePrediction, type Prediction } from '@ridestream/features';
import { aCompleted } from '@ridestream/features/testing';
import { subscribePredictions, type PredictionMeta } from '@ridestream/kafka';
import { brokers, freshTopics, testKafka, testLogger, unique, waitFor } from '@ridestream/testing';
import type { FieldIssue } from '@ridestream/features';
import { describe, expect, it } from 'vitest';

describe('subscribePredictions', () => {
  it('returns valid predictions in partition order and skips messages that break the contract', async () => {
    const kafka = testKafka();
    const [topic] = await freshTopics(kafka, ['tip-predictions'], 1);
    const producer = kafka.producer();
    await producer.connect();
    const good = ['a', 'b', 'c'].map((rideId) =>
      makePrediction({
        kind: 'tip',
        model: { name: 'ride-tip', version: '2' },
        event: aCompleted(rideId),
        value: 2.5,
        scoredAt: new Date(),
      }),
    );
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: JSON.stringify(good[0]) },
        { key: 'x', value: 'not json' },
        { key: 'b', value: JSON.stringify(good[1]) },
        { key: 'y', value: JSON.stringify({ ...good[2], value: 'NaN' }) },
        { key: 'c', value: JSON.stringify(good[2]) },
      ],
    });
    await producer.disconnect();

    const received: Prediction[] = [];
    const invalid: { issues: readonly FieldIssue[]; meta: PredictionMeta }[] = [];
    const sub = subscribePredictions({
      connection: { brokers: brokers(), clientId: 'test-subscriber' },
      topic,
      groupId: unique('app-team'),
      fromBeginning: true,
      logger: testLogger(),
      onPrediction: (p) => void received.push(p),
      onInvalid: (issues, meta) => void invalid.push({ issues, meta }),
    });
    await sub.start();
    try {
      await waitFor(() => received.length + invalid.length >= 5, 'all five messages');
    } finally {
      await sub.stop();
    }
    expect(received.map((p) => p.rideId)).toEqual(['a', 'b', 'c']);
    expect(received[0]).toEqual(good[0]);
    expect(invalid.map((i) => i.meta.offset)).toEqual(['1', '3']);
    expect(invalid[1]!.issues.map((i) => i.path)).toContain('value');
  });
});
