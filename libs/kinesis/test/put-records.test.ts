import { DLQ_HEADERS } from '@ridestream/stream-core';
import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_ENVELOPE,
  encodeForKinesis,
  parseDeadLetterEnvelope,
  toDeadLetterEnvelope,
} from '../src/dead-letter';
import { batchPutEntries, failedEntries, PUT_RECORDS_LIMITS, toPutEntry, type PutEntry } from '../src/put-records';

const entry = (stream: string, size: number, key = 'k'): PutEntry => ({
  stream,
  partitionKey: key,
  data: new Uint8Array(size - key.length),
  size,
});

describe('batchPutEntries', () => {
  it.each([
    { name: '1,200 small records -> 500 + 500 + 200', sizes: Array(1200).fill(100), expected: [500, 500, 200] },
    { name: 'six 1 MiB records -> 4 + 2 (5 MiB per request)', sizes: Array(6).fill(1024 * 1024), expected: [5, 1] },
    { name: 'nothing -> no request', sizes: [], expected: [] },
  ])('returns $name', ({ sizes, expected }) => {
    expect(batchPutEntries(sizes.map((s) => entry('a', s))).map((b) => b.length)).toEqual(expected);
  });

  it('returns one request per stream, keeping each stream in order', () => {
    const es = [entry('a', 10, 'a1'), entry('b', 10, 'b1'), entry('a', 10, 'a2')];
    expect(batchPutEntries(es).map((b) => b.map((e) => e.partitionKey))).toEqual([['a1', 'a2'], ['b1']]);
  });
});

describe('toPutEntry', () => {
  it('rejects a record over 1 MiB counting the partition key, as non-retriable', () => {
    const value = Buffer.alloc(PUT_RECORDS_LIMITS.recordBytes);
    expect(() => toPutEntry({ stream: 's', key: 'k', value })).toThrow(
      expect.objectContaining({ code: 'RECORD_TOO_LARGE', retriable: false }),
    );
  });
  it('rejects an empty or 257-character partition key', () => {
    expect(() => toPutEntry({ stream: 's', key: '', value: 'x' })).toThrow(/partition key/);
    expect(() => toPutEntry({ stream: 's', key: 'é'.repeat(257), value: 'x' })).toThrow(/partition key/);
    expect(toPutEntry({ stream: 's', key: 'é'.repeat(256), value: 'x' }).size).toBe(513);
  });
});

describe('failedEntries', () => {
  it('returns only the records whose result carries an error code', () => {
    const results = [{}, { errorCode: 'ProvisionedThroughputExceededException' }, {}, { errorCode: 'InternalFailure' }];
    expect(failedEntries(['a', 'b', 'c', 'd'], results)).toEqual(['b', 'd']);
  });
  it('returns everything when the response does not match the request', () => {
    expect(failedEntries(['a', 'b'], [{}])).toEqual(['a', 'b']);
  });
});

describe('dead-letter envelope', () => {
  const headers = { [DLQ_HEADERS.code]: 'INVALID_JSON', [DLQ_HEADERS.reason]: 'not JSON' };
  it('returns the original bytes and headers after a round trip', () => {
    const original = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
    const m = toDeadLetterEnvelope({ stream: 'dlq', key: 'ride-1', value: original, headers });
    expect(m.key).toBe('ride-1');
    const back = parseDeadLetterEnvelope(Buffer.from(m.value));
    expect(back.envelope).toBe(DEAD_LETTER_ENVELOPE);
    expect(back.headers).toEqual(headers);
    expect(Buffer.compare(back.original, original)).toBe(0);
    expect(back.truncated).toBe(false);
  });

  it('cuts a record too large for one Kinesis record once base64-encoded, and says so', () => {
    const original = Buffer.alloc(1000 * 1024, 7);
    const m = toDeadLetterEnvelope({ stream: 'dlq', key: 'k', value: original, headers });
    expect(() => toPutEntry(m)).not.toThrow();
    const back = parseDeadLetterEnvelope(Buffer.from(m.value));
    expect(back).toMatchObject({ truncated: true, bytes: original.length });
    expect(back.original.length).toBeLessThan(original.length);
  });

  it('gives a dead letter with no key the source position as its partition key', () => {
    const m = toDeadLetterEnvelope({
      stream: 'dlq',
      key: '',
      value: 'x',
      headers: { [DLQ_HEADERS.sourcePosition]: '42' },
    });
    expect(m.key).toBe('42');
  });

  it('wraps only dead-letter-stream messages and drops the headers of the others', () => {
    const out = encodeForKinesis(
      [
        { stream: 'preds', key: 'r1', value: '{}', headers: { traceparent: 't' } },
        { stream: 'dlq', key: 'r2', value: 'bad', headers },
      ],
      'dlq',
    );
    expect(out[0]).toEqual({ stream: 'preds', key: 'r1', value: '{}' });
    expect(parseDeadLetterEnvelope(Buffer.from(out[1]!.value)).original.toString()).toBe('bad');
  });
});
