import { describe, expect, it } from 'vitest';
import { planBatch, type RecordOutcome } from '../src/index';
import { rec } from './fixtures';

const ok = (p: string): RecordOutcome => ({
  status: 'scored',
  record: rec(p),
  rideId: `r${p}`,
  value: 1,
  payload: '{}',
});
const bad = (p: string): RecordOutcome => ({
  status: 'rejected',
  record: rec(p),
  code: 'INVALID_EVENT',
  reason: 'x',
  issues: [],
});
const retry = (p: string): RecordOutcome => ({ status: 'retry', record: rec(p), error: new Error('transient') });

const summary = (outcomes: RecordOutcome[]) => {
  const plan = planBatch(outcomes);
  return {
    scored: plan.scored.map((s) => s.record.position),
    dead: plan.deadLetters.map((d) => d.record.position),
    commitThrough: plan.commitThrough,
    retryFrom: plan.retryFrom,
  };
};

describe('planBatch', () => {
  it.each<[string, RecordOutcome[], ReturnType<typeof summary>]>([
    ['an empty batch commits nothing', [], { scored: [], dead: [], commitThrough: null, retryFrom: null }],
    [
      'all scored commits through the last',
      [ok('5'), ok('6'), ok('7')],
      { scored: ['5', '6', '7'], dead: [], commitThrough: '7', retryFrom: null },
    ],
    [
      'a poison record is dead-lettered and the partition moves on',
      [ok('5'), bad('6'), ok('7')],
      { scored: ['5', '7'], dead: ['6'], commitThrough: '7', retryFrom: null },
    ],
    [
      'only poison records still commit',
      [bad('1'), bad('2')],
      { scored: [], dead: ['1', '2'], commitThrough: '2', retryFrom: null },
    ],
    [
      'a transient failure stops the prefix there',
      [ok('5'), bad('6'), retry('7'), ok('8')],
      { scored: ['5'], dead: ['6'], commitThrough: '6', retryFrom: '7' },
    ],
    [
      'a transient failure first commits nothing',
      [retry('5'), ok('6')],
      { scored: [], dead: [], commitThrough: null, retryFrom: '5' },
    ],
    [
      'offsets beyond 2^53 keep their digits',
      [ok('9007199254740993')],
      { scored: ['9007199254740993'], dead: [], commitThrough: '9007199254740993', retryFrom: null },
    ],
  ])('%s', (_name, outcomes, expected) => {
    expect(summary(outcomes)).toEqual(expected);
  });
});

describe('planBatch with skipped events', () => {
  const skip = (p: string): RecordOutcome => ({ status: 'skipped', record: rec(p), eventType: 'ride.paid' });

  it.each<[string, RecordOutcome[], { skipped: string[]; scored: string[]; commitThrough: string | null }]>([
    [
      'only skipped events still commit, publishing nothing',
      [skip('1'), skip('2')],
      { skipped: ['1', '2'], scored: [], commitThrough: '2' },
    ],
    [
      'a skipped event between scored ones is committed past',
      [ok('5'), skip('6'), ok('7')],
      { skipped: ['6'], scored: ['5', '7'], commitThrough: '7' },
    ],
    [
      'a transient failure after a skipped event stops the prefix there',
      [skip('3'), retry('4'), skip('5')],
      { skipped: ['3'], scored: [], commitThrough: '3' },
    ],
  ])('%s', (_name, outcomes, expected) => {
    const plan = planBatch(outcomes);
    expect({
      skipped: plan.skipped.map((s) => s.record.position),
      scored: plan.scored.map((s) => s.record.position),
      commitThrough: plan.commitThrough,
    }).toEqual(expected);
    expect(plan.deadLetters).toEqual([]);
  });
});
