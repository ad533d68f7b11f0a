/**
 * A small seeded generator (mulberry32): the same seed gives the same
 * sequence, so a fault rule's hits repeat exactly when a run is repeated.
 */
export function seededRandom(seed: bigint): () => number {
  let a = Number(BigInt.asUintN(32, seed ^ (seed >> 32n))) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh non-zero seed for a rule that did not name one. */
export function newSeed(): bigint {
  return BigInt(Math.floor(Math.random() * 2 ** 31) + 1) * 65_537n + BigInt(Date.now() % 65_537);
}
