import { randomBytes } from 'node:crypto';

/** Source of tokens and generated names: crypto-random by default, repeatable when a seed is given. */
export interface Rng {
  /** Lower-case hex string of `bytes` random bytes. */
  hex(bytes: number): string;
  /** Float in [0, 1). */
  next(): number;
  reseed(seed: number | null): void;
}

export function createRng(seed: number | null = null): Rng {
  let state = 0;
  let seeded = false;
  const set = (s: number | null) => {
    seeded = s !== null;
    state = (s ?? 0) >>> 0 || 0x9e3779b9;
  };
  set(seed);
  // mulberry32: small, fast, good enough for test determinism (not for secrets).
  const u32 = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    hex(bytes) {
      if (!seeded) return randomBytes(bytes).toString('hex');
      let out = '';
      while (out.length < bytes * 2) out += u32().toString(16).padStart(8, '0');
      return out.slice(0, bytes * 2);
    },
    next() {
      return seeded ? u32() / 2 ** 32 : Math.random();
    },
    reseed: set,
  };
}
