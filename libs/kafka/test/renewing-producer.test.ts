import { describe, expect, it } from 'vitest';
import { renewingProducer } from '../src/renewing-producer';

/** Producers that are just numbered names; `opens` scripts which opens fail, `closed` records what was closed. */
function fleet(opens: boolean[] = []) {
  let made = 0;
  const closed: string[] = [];
  const script = [...opens];
  const producers = renewingProducer({
    make: () => `p${++made}`,
    open: async (p) => {
      if (script.shift() === false) throw new Error(`${p}: connect ECONNREFUSED`);
    },
    close: async (p) => {
      closed.push(p);
    },
  });
  return { producers, closed };
}
const ok = (p: string) => Promise.resolve(p);
const fail = () => Promise.reject(new Error('NOT_LEADER_OR_FOLLOWER'));

describe('renewingProducer', () => {
  it('keeps its producer while sends succeed, and replaces it before the send after a failure', async () => {
    const { producers, closed } = fleet();
    await producers.start();
    expect([await producers.send(ok), await producers.send(ok)]).toEqual(['p1', 'p1']);
    await expect(producers.send(fail)).rejects.toThrow('NOT_LEADER');
    expect(await producers.send(ok)).toBe('p2');
    expect(closed).toEqual(['p1']);
    // Counted without an onReplaced listener too.
    expect(producers.replacements()).toBe(1);
  });

  it('fails each send while no replacement can connect, and sends on the first that does', async () => {
    const { producers, closed } = fleet([true, false, false, true]);
    await producers.start();
    await expect(producers.send(fail)).rejects.toThrow('NOT_LEADER');
    await expect(producers.send(ok)).rejects.toThrow('p2: connect ECONNREFUSED');
    await expect(producers.send(ok)).rejects.toThrow('p3: connect ECONNREFUSED');
    expect(await producers.send(ok)).toBe('p4');
    expect(closed).toEqual(['p1', 'p2', 'p3']);
    expect(producers.replacements()).toBe(1);
  });

  it('runs sends one at a time: a send queued behind a failing one goes on a fresh producer', async () => {
    const { producers } = fleet();
    await producers.start();
    let failFirst!: (err: Error) => void;
    const ran: string[] = [];
    const first = producers.send(
      (p) => new Promise<string>((_, reject) => ((failFirst = reject), ran.push(`first on ${p}`))),
    );
    const second = producers.send(async (p) => (ran.push(`second on ${p}`), p));
    await Promise.resolve();
    // The second waits for the first: on the old producer it would be numbered after the rollback.
    expect(ran).toEqual(['first on p1']);
    failFirst(new Error('NOT_LEADER_OR_FOLLOWER'));
    await expect(first).rejects.toThrow('NOT_LEADER');
    expect(await second).toBe('p2');
    expect(ran).toEqual(['first on p1', 'second on p2']);
    expect(producers.replacements()).toBe(1);
  });

  it('closes the producer in hand once, however many stop calls', async () => {
    const { producers, closed } = fleet();
    await producers.start();
    await expect(producers.send(fail)).rejects.toThrow();
    await producers.send(ok);
    await Promise.all([producers.stop(), producers.stop()]);
    expect(closed).toEqual(['p1', 'p2']);
  });
});
