import { describe, expect, it } from 'vitest';
import { listenPortRange } from '../src/ports';

describe('listenPortRange', () => {
  it('gives the ports below the kernel ephemeral range, where no outgoing connection takes a local port', () => {
    expect(listenPortRange('32768\t60999\n')).toEqual([20000, 32767]);
    expect(listenPortRange('40000 65000')).toEqual([20000, 39999]);
  });

  it("assumes Linux's default range when /proc does not say", () => {
    expect(listenPortRange(undefined)).toEqual([20000, 32767]);
    expect(listenPortRange('garbage')).toEqual([20000, 32767]);
  });

  it('gives nothing when the ephemeral range leaves no room below it (the caller falls back to any free port)', () => {
    expect(listenPortRange('1024 65535')).toBeUndefined();
    expect(listenPortRange('20050 65535')).toBeUndefined();
  });
});
