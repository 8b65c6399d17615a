import { describe, expect, it } from 'vitest';
import { readDeadLetter, readPrediction, UNKNOWN_REASON } from '../src/decode';

const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const prediction = {
  predictionId: 'abc',
  kind: 'tip',
  unit: 'usd',
  value: 2.5,
  model: { name: 'ride-tip', version: '3' },
  rideId: 'r-1',
  eventTime: '2024-01-01T10:00:00-05:00',
  scoredAt: '2026-12-01T12:00:00.000Z',
};

describe('readPrediction', () => {
  it('returns the common fields of a prediction and ignores fields it does not know (v2 `event`)', () => {
    expect(
      readPrediction(bytes({ ...prediction, schemaVersion: 2, event: { type: 'ride.completed', id: 'x' } })),
    ).toEqual({
      kind: 'tip',
      value: 2.5,
      model: { name: 'ride-tip', version: '3' },
      rideId: 'r-1',
      eventTime: prediction.eventTime,
      scoredAt: prediction.scoredAt,
    });
  });

  it.each([
    ['not JSON', 'nope'],
    ['no model', { ...prediction, model: undefined }],
    ['a string value', { ...prediction, value: '2.5' }],
  ])('returns undefined for %s', (_what, v) => {
    expect(readPrediction(bytes(v))).toBeUndefined();
  });
});

describe('readDeadLetter', () => {
  const headers = {
    'x-ridestream-error-code': 'INVALID_JSON',
    'x-ridestream-error-reason': 'record value is not valid JSON',
    'x-ridestream-consumer': 'tip-consumer',
    'x-ridestream-model-version': 'ride-tip@3',
  };

  it('returns the reason from Kafka headers', () => {
    expect(readDeadLetter(bytes('garbage'), headers)).toEqual({
      code: 'INVALID_JSON',
      reason: 'record value is not valid JSON',
      consumer: 'tip-consumer',
      modelVersion: 'ride-tip@3',
    });
  });

  it('returns the reason from a Kinesis envelope, whose record has no headers', () => {
    const envelope = {
      envelope: 'ridestream.dead-letter/v1',
      key: 'k',
      headers,
      data: '',
      bytes: 0,
      sha256: '0',
      truncated: false,
    };
    expect(readDeadLetter(bytes(envelope), {})).toMatchObject({ code: 'INVALID_JSON', consumer: 'tip-consumer' });
  });

  it(`returns ${UNKNOWN_REASON} for a record that says no reason, so that it is still counted`, () => {
    expect(readDeadLetter(bytes('plain bytes'), {})).toEqual({ code: UNKNOWN_REASON, reason: '' });
  });
});
