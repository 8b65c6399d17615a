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

  it('replaces once for concurrent sends, and a late failure of the old producer leaves the new one alone', async () => {
    const { producers } = fleet();
    await producers.start();
    let failOld!: (err: Error) => void;
    const slow = producers.send(() => new Promise<string>((_, reject) => (failOld = reject)));
    await expect(producers.send(fail)).rejects.toThrow();
    const both = await Promise.all([producers.send(ok), producers.send(ok)]);
    expect(both).toEqual(['p2', 'p2']);
    failOld(new Error('closed connection'));
    await expect(slow).rejects.toThrow('closed connection');
    expect(await producers.send(ok)).toBe('p2');
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
