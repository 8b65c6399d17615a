/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence, so a randomised test or a chaos
 * schedule can be replayed exactly. Not for anything that needs real randomness.
 *
 * @example
 * const rand = seededRandom(42);
 * const pick = items[Math.floor(rand() * items.length)];
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
