import { describe, expect, it } from 'vitest';
import { coalescingSends } from '../src/coalescing-sends';
import { sharedCommits } from '../src/consumer';

/** A request that settles when the test says: `requests` records what each one carried. */
function scriptedWrite() {
  const requests: string[][] = [];
  const settle: ((err?: Error) => void)[] = [];
  const write = (messages: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push([...messages]);
      settle.push((err) => (err ? reject(err) : resolve()));
    });
  return { write, requests, settle };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('coalescingSends', () => {
  it('sends the first call at once, and merges the calls that wait behind it into the next request', async () => {
    const w = scriptedWrite();
    const send = coalescingSends(w.write, 100);
    const settled: string[] = [];
    const a = send(['a1']).then(() => settled.push('a'));
    const b = send(['b1', 'b2']).then(() => settled.push('b'));
    const c = send(['c1']).then(() => settled.push('c'));
    expect(w.requests).toEqual([['a1']]);
    w.settle[0]!();
    await a;
    await tick();
    expect(w.requests).toEqual([['a1'], ['b1', 'b2', 'c1']]);
    expect(settled).toEqual(['a']);
    w.settle[1]!();
    await Promise.all([b, c]);
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('fails every call of a failed request, and only those', async () => {
    const w = scriptedWrite();
    const send = coalescingSends(w.write, 100);
    const a = send(['a']);
    const b = send(['b']);
    const c = send(['c']);
    w.settle[0]!(new Error('NOT_LEADER_OR_FOLLOWER'));
    await expect(a).rejects.toThrow('NOT_LEADER');
    await tick();
    w.settle[1]!(new Error('REQUEST_TIMED_OUT'));
    await expect(b).rejects.toThrow('REQUEST_TIMED_OUT');
    await expect(c).rejects.toThrow('REQUEST_TIMED_OUT');
    // A later call goes out on its own again.
    const d = send(['d']);
    expect(w.requests.at(-1)).toEqual(['d']);
    w.settle[2]!();
    await d;
  });

  it('keeps a request within maxRecords, but never splits a call', async () => {
    const w = scriptedWrite();
    const send = coalescingSends(w.write, 3);
    const all = [send(['x']), send(['a', 'b']), send(['c', 'd']), send(['e', 'f', 'g', 'h']), send(['i'])];
    for (let k = 0; k < 5; k++) {
      w.settle[k]!();
      await tick();
    }
    await Promise.all(all);
    expect(w.requests).toEqual([['x'], ['a', 'b'], ['c', 'd'], ['e', 'f', 'g', 'h'], ['i']]);
  });
});

describe('sharedCommits', () => {
  it('runs one commit at a time, and the callers that arrive meanwhile share one commit started after them', async () => {
    const commit = sharedCommits();
    const started: string[] = [];
    const finish: (() => void)[] = [];
    const job = (name: string) => () =>
      new Promise<void>((resolve) => {
        started.push(name);
        finish.push(resolve);
      });
    const first = commit(job('p0'));
    const second = commit(job('p1'));
    const third = commit(job('p2'));
    expect(started).toEqual(['p0']);
    finish[0]!();
    await first;
    await tick();
    // One commit for both waiters: kafkajs commits every resolved offset, theirs included.
    expect(started).toEqual(['p0', 'p1']);
    let thirdDone = false;
    void third.then(() => (thirdDone = true));
    await tick();
    expect(thirdDone).toBe(false);
    finish[1]!();
    await Promise.all([second, third]);
    expect(started).toEqual(['p0', 'p1']);
  });

  it('gives a failed commit to its callers only; the next caller commits again', async () => {
    const commit = sharedCommits();
    await expect(commit(() => Promise.reject(new Error('REBALANCE_IN_PROGRESS')))).rejects.toThrow('REBALANCE');
    let ran = false;
    await commit(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
